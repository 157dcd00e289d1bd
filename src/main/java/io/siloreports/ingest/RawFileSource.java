package io.siloreports.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.model.Pipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw JSON-lines files of a pipeline under {@code <inputDir>/<pipeline id>/} (local, HDFS or s3a). A file's
 * time says nothing about the event times inside it, so a batch read takes every file and the caller
 * filters by event time.
 *
 * <p>A backlog streams in micro-batches of about {@code maxBytesPerBatch}: Spark 3.5's file source can only cap the
 * files of a batch ({@code maxFilesPerTrigger}; a byte cap, {@code maxBytesPerTrigger}, came with Spark 4.0), so when
 * the stream starts the cap is derived from the largest file in the directory, and every batch stays within the
 * budget. Spark records each batch's files in its checkpoint before running it, so a replayed batch reads the
 * same files whatever the cap is after a restart.
 */
public final class RawFileSource implements RawSource {
  private static final Logger LOG = LoggerFactory.getLogger(RawFileSource.class);
  static final StructType LINES =
      new StructType().add("line", DataTypes.StringType).add("source", DataTypes.StringType);

  private static final String MAX_FILES = "maxFilesPerTrigger";

  private final String inputDir;
  private final Map<String, String> options;
  private final long maxBytesPerBatch;

  /**
   * @param options go to Spark's text source (maxFilesPerTrigger, cleanSource, ...)
   * @param maxBytesPerBatch what a micro-batch admits at most, unless {@code options} set maxFilesPerTrigger (0: no
   *     limit)
   */
  public RawFileSource(String inputDir, Map<String, String> options, long maxBytesPerBatch) {
    if (maxBytesPerBatch < 0) {
      throw new IllegalArgumentException("source.max-bytes-per-batch must not be negative, got " + maxBytesPerBatch);
    }
    this.inputDir = inputDir.endsWith("/") ? inputDir.substring(0, inputDir.length() - 1) : inputDir;
    this.options = Map.copyOf(options);
    this.maxBytesPerBatch = maxBytesPerBatch;
  }

  public RawFileSource(String inputDir) {
    this(inputDir, Map.of(), 0);
  }

  public String dir(Pipeline pipeline) {
    return inputDir + "/" + pipeline.id;
  }

  @Override
  public String describe(Pipeline pipeline) {
    return dir(pipeline);
  }

  @Override
  public void prepare(Pipeline pipeline) throws IOException {
    String dir = dir(pipeline);
    if (!dir.contains("://")) {
      java.nio.file.Files.createDirectories(java.nio.file.Path.of(dir));
    }
  }

  @Override
  public Dataset<Row> stream(SparkSession spark, Pipeline pipeline) {
    evenSplits(spark);
    return spark.readStream().options(admission(spark.sparkContext().hadoopConfiguration(), pipeline))
        .format("text").load(dir(pipeline))
        .select(col("value").as("line"), input_file_name().as("source"));
  }

  /**
   * Unless the job sets Spark's file splits itself: a micro-batch's files are read in twice as many even splits as
   * the session has cores (up to 1 GB each). Spark's default cuts 128 MB splits, so a 668 MB batch on 2 cores became
   * five of 128 MB and one of 28 MB, and one core read 384 MB while the other idled at the end.
   */
  static void evenSplits(SparkSession spark) {
    org.apache.spark.sql.RuntimeConfig conf = spark.conf();
    if (!conf.contains(MIN_SPLITS) && !conf.contains(MAX_SPLIT_BYTES)) {
      conf.set(MIN_SPLITS, String.valueOf(2 * spark.sparkContext().defaultParallelism()));
      conf.set(MAX_SPLIT_BYTES, String.valueOf(1L << 30));
    }
  }

  private static final String MIN_SPLITS = "spark.sql.files.minPartitionNum";
  private static final String MAX_SPLIT_BYTES = "spark.sql.files.maxPartitionBytes";

  /** Spark's options for a pipeline's stream: the given ones, with the file cap the byte budget allows. */
  Map<String, String> admission(Configuration hadoop, Pipeline pipeline) {
    if (options.keySet().stream().anyMatch(MAX_FILES::equalsIgnoreCase)) {
      if (maxBytesPerBatch > 0) {
        LOG.info("{}: source.file.maxFilesPerTrigger is set, so it caps each micro-batch, not"
            + " source.max-bytes-per-batch", pipeline.id);
      }
      return options;
    }
    if (maxBytesPerBatch == 0) {
      return options;
    }
    long largest = 0;
    int count = 0;
    try {
      Path dir = new Path(dir(pipeline));
      FileSystem fs = dir.getFileSystem(hadoop);
      if (fs.exists(dir)) {
        for (FileStatus st : visibleEntries(fs, dir)) {
          if (st.isFile()) {
            largest = Math.max(largest, st.getLen());
            count++;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir(pipeline) + " to size its micro-batches", e);
    }
    if (count == 0) {
      LOG.info("{}: no file in {} yet, so each micro-batch takes every new file (source.max-bytes-per-batch is"
          + " applied from the largest file at the next start)", pipeline.id, dir(pipeline));
      return options;
    }
    int files = filesPerBatch(maxBytesPerBatch, largest);
    LOG.info("{}: up to {} files per micro-batch (source.max-bytes-per-batch {} bytes, the largest of {} files in {}"
        + " has {} bytes)", pipeline.id, files, maxBytesPerBatch, count, dir(pipeline), largest);
    Map<String, String> withCap = new java.util.LinkedHashMap<>(options);
    withCap.put(MAX_FILES, Integer.toString(files));
    return Map.copyOf(withCap);
  }

  /** How many files of at most {@code largestFile} bytes fit in {@code budget} bytes: at least one. */
  static int filesPerBatch(long budget, long largestFile) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budget / Math.max(1, largestFile)));
  }

  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, Instant eventFrom, Instant cutoff) {
    String dir = dir(pipeline);
    try {
      Path p = new Path(dir);
      if (!p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p)) {
        LOG.warn("raw directory {} does not exist: no raw {} records", dir, pipeline.id);
        return spark.createDataFrame(List.of(), LINES);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check raw directory " + dir, e);
    }
    return spark.read().format("text").load(dir).select(col("value").as("line"), input_file_name().as("source"));
  }

  /**
   * The lines of the files the stream had logged by the committed batch, or of the others; with nothing committed,
   * every file's.
   */
  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, InputSlice slice, boolean committed) {
    if (!(slice.committed() instanceof CommittedInput.Files files)) {
      return RawSource.super.batch(spark, pipeline, slice, committed);
    }
    Dataset<Row> all = batch(spark, pipeline, slice.earliest(), slice.until());
    // input_file_name() is the URI Spark's file source logs (Path.toUri), so the two compare as strings
    Column logged = files.uris().isEmpty() ? lit(false) : col("source").isin(files.uris().toArray());
    return all.filter(committed ? logged : functions.not(logged));
  }

  /**
   * Every line of a pipeline's files without Spark, each with its file, as Spark's text source reads them: files
   * whose names start with {@code _} or {@code .} or end with {@code ._COPYING_} skipped, compressed files (by
   * extension) decompressed, UTF-8, lines ending at LF, CR or CRLF. False, with nothing read, when the directory
   * holds a sub-directory (partition directories are Spark's to read).
   */
  public boolean forEachLine(Pipeline pipeline, Configuration hadoop, BiConsumer<String, String> lines)
      throws IOException {
    return forEachLine(pipeline, hadoop, file -> true, lines);
  }

  /**
   * The same for the files {@code read} accepts (it is given each file's URI, {@code Path.toUri()}, the form Spark's
   * file source logs), each line with that URI.
   */
  public boolean forEachLine(Pipeline pipeline, Configuration hadoop, java.util.function.Predicate<String> read,
      BiConsumer<String, String> lines) throws IOException {
    Path dir = new Path(dir(pipeline));
    FileSystem fs = dir.getFileSystem(hadoop);
    if (!fs.exists(dir)) {
      return true;
    }
    List<FileStatus> files = new ArrayList<>();
    for (FileStatus st : visibleEntries(fs, dir)) {
      if (st.isDirectory()) {
        return false;
      }
      if (read.test(st.getPath().toUri().toString())) {
        files.add(st);
      }
    }
    CompressionCodecFactory codecs = new CompressionCodecFactory(hadoop);
    for (FileStatus st : files) {
      String source = st.getPath().toUri().toString();
      try (BufferedReader in = openText(fs, st.getPath(), codecs)) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.accept(line, source);
        }
      }
    }
    return true;
  }

  /** The entries of {@code dir} Spark's file sources read: not hidden ({@code .}, {@code _}) nor being copied. */
  private static List<FileStatus> visibleEntries(FileSystem fs, Path dir) throws IOException {
    List<FileStatus> out = new ArrayList<>();
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (!(name.startsWith(".") || name.startsWith("_") && !name.contains("=") || name.endsWith("._COPYING_"))) {
        out.add(st);
      }
    }
    return out;
  }

  /** A file's text as Spark's text source reads it: UTF-8, decompressed when its extension names a codec. */
  static BufferedReader openText(FileSystem fs, Path path, CompressionCodecFactory codecs) throws IOException {
    CompressionCodec codec = codecs.getCodec(path);
    InputStream raw = fs.open(path);
    try {
      return new BufferedReader(new InputStreamReader(codec == null ? raw : codec.createInputStream(raw),
          StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }
}
