package io.siloreports.sink;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.aggregate.Aggregations;
import io.siloreports.ingest.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates in Parquet (local paths, HDFS or s3a), which cannot update in place. Each micro-batch writes
 * its partial aggregates and quarantine rows under their own {@code batch_id=N} directory (overwritten if
 * the batch is replayed), then commits by writing one progress file {@code batch-N.json}. Readers merge
 * the partials of committed batches only, so a batch whose progress file is missing (a crash before the
 * commit) is invisible until it is replayed.
 *
 * <pre>
 * root/silo_hourly_aggregates/batch_id=N/   partials of batch N
 * root/bucket_counts/batch_id=N/
 * root/quarantine/pipeline=P/batch_id=N/    bad and late records of batch N
 * root/aggregation_progress/P/batch-N.json  the commit of batch N (finalized_before, totals)
 * </pre>
 */
public final class ParquetAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetAggregateStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Progress files kept per pipeline; older ones are only history. */
  private static final int PROGRESS_FILES_KEPT = 50;

  private final SparkSession spark;
  private final String root;
  private final Runnable beforeCommit;

  public ParquetAggregateStore(SparkSession spark, String root) {
    this(spark, root, () -> {});
  }

  /** {@code beforeCommit} runs after the batch's data is written and before its commit (crash tests). */
  public ParquetAggregateStore(SparkSession spark, String root, Runnable beforeCommit) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.beforeCommit = beforeCommit;
  }

  public String root() {
    return root;
  }

  @Override
  public Optional<AggregationProgress> progress(Pipeline pipeline) {
    try {
      Path dir = progressDir(pipeline);
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Optional<Path> last = committedFiles(fs, dir).stream().reduce((a, b) -> b);
      if (last.isEmpty()) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(last.get())) {
        return Optional.of(fromJson(pipeline, JSON.readTree(in)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read progress of " + pipeline.id + " under " + root, e);
    }
  }

  @Override
  public void commit(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress progress) {
    long batchId = progress.batchId();
    partials.write().mode(SaveMode.Overwrite).parquet(batchDir(pipeline.table, batchId));
    quarantine.write().mode(SaveMode.Overwrite).parquet(quarantineDir(pipeline) + "/batch_id=" + batchId);
    beforeCommit.run();
    try {
      writeProgress(progress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit batch " + batchId + " of " + pipeline.id, e);
    }
  }

  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    StructType schema = Aggregations.partialSchema(pipeline).add("batch_id", DataTypes.LongType);
    String dir = root + "/" + pipeline.table;
    if (!exists(dir)) {
      return spark.createDataFrame(List.of(), Aggregations.partialSchema(pipeline));
    }
    Dataset<Row> partials =
        spark.read().schema(schema).parquet(dir)
            .filter(col("batch_id").leq(committed.batchId()))
            .drop("batch_id");
    return Aggregations.merge(pipeline, partials);
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    String dir = quarantineDir(pipeline);
    if (!exists(dir)) {
      return spark.createDataFrame(List.of(), Quarantine.SCHEMA);
    }
    long committed = progress(pipeline).map(AggregationProgress::batchId).orElse(-1L);
    return spark.read().schema(Quarantine.SCHEMA).parquet(dir).filter(col("batch_id").leq(committed));
  }

  private String batchDir(String table, long batchId) {
    return root + "/" + table + "/batch_id=" + batchId;
  }

  private String quarantineDir(Pipeline pipeline) {
    return root + "/quarantine/pipeline=" + pipeline.id;
  }

  private Path progressDir(Pipeline pipeline) {
    return new Path(root + "/aggregation_progress/" + pipeline.id);
  }

  private boolean exists(String dir) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Committed progress files in batch order. */
  private static List<Path> committedFiles(FileSystem fs, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith("batch-") && name.endsWith(".json")) {
        files.add(s.getPath());
      }
    }
    files.sort(Comparator.comparing(Path::getName)); // zero-padded batch ids sort numerically
    return files;
  }

  /** Writes the progress file under a temporary name, then renames it: the commit point of the batch. */
  private void writeProgress(AggregationProgress p) throws IOException {
    Path dir = progressDir(p.pipeline());
    FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
    fs.mkdirs(dir);
    Path target = new Path(dir, String.format("batch-%020d.json", p.batchId()));
    Path tmp = new Path(dir, "_tmp-" + UUID.randomUUID() + ".json");
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(toJson(p).getBytes(StandardCharsets.UTF_8));
    }
    if (fs.exists(target)) {
      fs.delete(target, false); // a replay of a batch whose commit was lost mid-way
    }
    if (!fs.rename(tmp, target)) {
      throw new IOException("rename " + tmp + " -> " + target + " failed");
    }
    List<Path> files = committedFiles(fs, dir);
    for (int i = 0; i < files.size() - PROGRESS_FILES_KEPT; i++) {
      fs.delete(files.get(i), false);
    }
    LOG.debug("committed {} batch {}", p.pipeline().id, p.batchId());
  }

  static String toJson(AggregationProgress p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("pipeline", p.pipeline().id);
    n.put("batch_id", p.batchId());
    n.put("finalized_before", p.finalizedBefore() == null ? null : p.finalizedBefore().toString());
    n.put("max_event_time", p.maxEventTime() == null ? null : p.maxEventTime().toString());
    n.put("valid_total", p.validTotal());
    n.put("bad_total", p.badTotal());
    n.put("late_total", p.lateTotal());
    n.put("updated_at", p.updatedAt().toString());
    return n.toPrettyString();
  }

  static AggregationProgress fromJson(Pipeline pipeline, com.fasterxml.jackson.databind.JsonNode n) {
    return new AggregationProgress(
        pipeline,
        n.get("batch_id").asLong(),
        instant(n, "finalized_before"),
        instant(n, "max_event_time"),
        n.get("valid_total").asLong(),
        n.get("bad_total").asLong(),
        n.get("late_total").asLong(),
        instant(n, "updated_at"));
  }

  private static Instant instant(com.fasterxml.jackson.databind.JsonNode n, String field) {
    var v = n.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }
}
