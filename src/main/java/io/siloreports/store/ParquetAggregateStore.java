package io.siloreports.store;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * root/aggregation_progress/P/batch-N.json  the commit of batch N ({@link ParquetProgressStore})
 * root/compacted/silo_hourly_aggregates/upto=B/   merged partials of every batch up to B
 * root/compacted/silo_hourly_aggregates/_CURRENT  B, written once upto=B is complete
 * </pre>
 *
 * <p>Compaction: every {@code compactEvery} committed batches, the merged partials of all committed batches are
 * written as one file set ({@code upto=B}) and {@code _CURRENT} is switched to it; readers then take that set plus
 * the batch directories after B. Both give the same merge, so the switch is safe at any moment. The batch and
 * compacted directories the previous generation used are deleted then, one generation late, so a report that
 * listed them just before the switch can still read them.
 */
public final class ParquetAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetAggregateStore.class);

  /** Why the Parquet layout has no backfill; the backfill's refusal says it. */
  static final String NO_RANGE_REPLACE =
      "the backfill writes MySQL aggregates only (sink.type=mysql); sink.type is parquet. The Parquet layout is"
          + " append-only per micro-batch: to rebuild it, run the stream again from a fresh checkpoint directory into"
          + " an empty warehouse directory.";

  private final SparkSession spark;
  private final String root;
  private final Runnable beforeCommit;
  private final ParquetProgressStore progress;
  private final int compactEvery;

  /**
   * @param compactEvery compact after every this many batches (0: never)
   * @param beforeCommit runs after the batch's data is written and before its commit (crash tests)
   */
  public ParquetAggregateStore(
      SparkSession spark, String root, ParquetProgressStore progress, int compactEvery, Runnable beforeCommit) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.progress = progress;
    this.beforeCommit = beforeCommit;
    this.compactEvery = compactEvery;
  }

  public String root() {
    return root;
  }

  @Override
  public String describe() {
    return "Parquet under " + root;
  }

  @Override
  public void commit(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress next) {
    long batchId = next.batchId();
    partials.write().mode(SaveMode.Overwrite).parquet(batchDir(pipeline.table, batchId));
    quarantine.write().mode(SaveMode.Overwrite).parquet(quarantineDir(pipeline) + "/batch_id=" + batchId);
    beforeCommit.run();
    progress.commit(next);
    if (compactEvery > 0 && (batchId + 1) % compactEvery == 0) {
      compact(pipeline, next);
    }
  }

  /** Writes the merged partials of every batch up to {@code committed} as one file set and switches to it. */
  void compact(Pipeline pipeline, AggregationProgress committed) {
    long t0 = System.nanoTime();
    Long previous = compactedUpTo(pipeline);
    long upTo = committed.batchId();
    aggregates(pipeline, committed).write().mode(SaveMode.Overwrite).parquet(compactedDir(pipeline, upTo));
    try {
      FileSystem fs = fs();
      Path marker = new Path(root + "/compacted/" + pipeline.table + "/_CURRENT");
      Path tmp = new Path(root + "/compacted/" + pipeline.table + "/_tmp-" + UUID.randomUUID());
      try (var out = fs.create(tmp, true)) {
        out.write(Long.toString(upTo).getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(marker, false);
      if (!fs.rename(tmp, marker)) {
        throw new IOException("rename " + tmp + " -> " + marker + " failed");
      }
      int deleted = 0;
      if (previous != null) { // one generation late: nothing reads these once the marker moved twice
        for (FileStatus st : fs.listStatus(new Path(root + "/" + pipeline.table))) {
          String name = st.getPath().getName();
          if (name.startsWith("batch_id=") && Long.parseLong(name.substring(9)) <= previous) {
            fs.delete(st.getPath(), true);
            deleted++;
          }
        }
        for (FileStatus st : fs.listStatus(new Path(root + "/compacted/" + pipeline.table))) {
          String name = st.getPath().getName();
          if (name.startsWith("upto=") && Long.parseLong(name.substring(5)) < previous) {
            fs.delete(st.getPath(), true);
          }
        }
      }
      LOG.info("{}: compacted batches up to {} into one file set ({} old batch directories removed) in {} ms",
          pipeline.id, upTo, deleted, (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot switch the compacted aggregates of " + pipeline.id, e);
    }
  }

  /** The batch id the current compacted file set covers, or null before the first compaction. */
  Long compactedUpTo(Pipeline pipeline) {
    Path marker = new Path(root + "/compacted/" + pipeline.table + "/_CURRENT");
    try {
      FileSystem fs = fs();
      if (!fs.exists(marker)) {
        return null;
      }
      try (var in = fs.open(marker)) {
        return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + marker, e);
    }
  }

  private String compactedDir(Pipeline pipeline, long upTo) {
    return root + "/compacted/" + pipeline.table + "/upto=" + upTo;
  }

  private FileSystem fs() throws IOException {
    return new Path(root).getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    StructType partial = Aggregations.partialSchema(pipeline);
    Long base = compactedUpTo(pipeline);
    Dataset<Row> parts = base == null ? spark.createDataFrame(List.of(), partial)
        : spark.read().schema(partial).parquet(compactedDir(pipeline, base));
    String dir = root + "/" + pipeline.table;
    if (exists(dir)) {
      Dataset<Row> batches =
          spark.read().schema(partial.add("batch_id", DataTypes.LongType)).parquet(dir)
              .filter(col("batch_id").leq(committed.batchId()).and(col("batch_id").gt(base == null ? -1L : base)))
              .drop("batch_id");
      parts = parts.unionByName(batches);
    }
    return Aggregations.merge(pipeline, parts);
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    String dir = quarantineDir(pipeline);
    if (!exists(dir)) {
      return spark.createDataFrame(List.of(), Quarantine.SCHEMA);
    }
    long committed = progress.last(pipeline).map(AggregationProgress::batchId).orElse(-1L);
    return spark.read().schema(Quarantine.SCHEMA).parquet(dir).filter(col("batch_id").leq(committed));
  }

  @Override
  public void requireRangeReplace() {
    throw new Refused(NO_RANGE_REPLACE);
  }

  @Override
  public Replaced replaceRange(Replacement chunk) {
    throw new Refused(NO_RANGE_REPLACE);
  }

  @Override
  public void replaceUntimedQuarantine(Pipeline pipeline, List<String> sources, Dataset<Row> rows) {
    throw new Refused(NO_RANGE_REPLACE);
  }

  private String batchDir(String table, long batchId) {
    return root + "/" + table + "/batch_id=" + batchId;
  }

  private String quarantineDir(Pipeline pipeline) {
    return root + "/quarantine/pipeline=" + pipeline.id;
  }

  private boolean exists(String dir) {
    try {
      return fs().exists(new Path(dir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
