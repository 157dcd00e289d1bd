package io.siloreports.store;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregation;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import io.siloreports.pipeline.PipelineDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
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
 * (The layout: {@link ParquetLayout}.)
 *
 * <p>Compaction: every {@code compactEvery} committed batches, the merged partials of all committed batches are
 * written as one file set ({@code upto=B}) and {@code _CURRENT} is switched to it; readers then take that set plus
 * the batch directories after B. Both give the same merge (less the rows {@link ParquetRetention} leaves out), so the
 * switch is safe at any moment. The batch and compacted directories the previous generation used are deleted then,
 * one generation late, so a report that listed them just before the switch can still read them.
 */
public final class ParquetAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetAggregateStore.class);

  /** Why the Parquet layout has no backfill; the backfill's refusal says it. */
  static final String NO_RANGE_REPLACE =
      "the backfill writes MySQL aggregates only (sink.type=mysql); sink.type is parquet. The Parquet layout is"
          + " append-only per micro-batch: to rebuild it, run the stream again from a fresh checkpoint directory into"
          + " an empty warehouse directory.";

  /** About a megabyte a row group (some 20,000 partial rows): small enough to skip most of a long history. */
  static final long ROW_GROUP_BYTES = 1L << 20;

  private final Supplier<SparkSession> spark;
  private final ParquetLayout layout;
  private long rowGroupBytes = ROW_GROUP_BYTES;
  private final Runnable beforeCommit;
  private final ParquetProgressStore progress;
  private final int compactEvery;

  /**
   * @param compactEvery compact after every this many batches (0: never)
   * @param beforeCommit runs after the batch's data is written and before its commit (crash tests)
   */
  public ParquetAggregateStore(
      SparkSession spark, String root, ParquetProgressStore progress, int compactEvery, Runnable beforeCommit) {
    this(() -> spark, spark.sparkContext().hadoopConfiguration(), root, progress, compactEvery, beforeCommit);
  }

  /** With a session started only when something needs Spark ({@code hadoop}: the file system's settings). */
  public ParquetAggregateStore(Supplier<SparkSession> spark, Configuration hadoop, String root,
      ParquetProgressStore progress, int compactEvery, Runnable beforeCommit) {
    this.spark = spark;
    this.layout = new ParquetLayout(hadoop, root);
    this.progress = progress;
    this.beforeCommit = beforeCommit;
    this.compactEvery = compactEvery;
  }

  public String root() {
    return layout.root();
  }

  @Override
  public String describe() {
    return "Parquet under " + layout.root();
  }

  @Override
  public void commit(Pipeline pipeline, List<Row> partials, List<Row> quarantine, AggregationProgress next) {
    commit(pipeline, partials, spark.get().createDataFrame(quarantine, Quarantine.SCHEMA), next);
  }

  @Override
  public void commit(
      Pipeline pipeline, List<Row> partials, Dataset<Row> quarantine, AggregationProgress next) {
    long batchId = next.batchId();
    partialWriter(spark.get().createDataFrame(partials, PipelineDescriptor.of(pipeline).aggregation().partialSchema()))
        .parquet(layout.batchDir(pipeline, batchId).toString());
    quarantine.write().mode(SaveMode.Overwrite)
        .parquet(new Path(layout.quarantineDir(pipeline), "batch_id=" + batchId).toString());
    beforeCommit.run();
    progress.commit(next);
    if (compactEvery > 0 && (batchId + 1) % compactEvery == 0) {
      compact(pipeline, next);
    }
  }

  /**
   * Partials are written sorted by hour, with INT64 timestamps (Spark's default INT96 has no statistics) in row groups
   * of about {@link #ROW_GROUP_BYTES}: a report's direct read skips the row groups outside its range by their
   * statistics ({@link ParquetPartials}), so its cost follows the range, not the store's history; Spark's own reads
   * push their hour filter down the same way. Both timestamp types are read, so older stores stay readable.
   */
  private DataFrameWriter<Row> partialWriter(Dataset<Row> partials) {
    partials.sparkSession().conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    Dataset<Row> sorted = Arrays.asList(partials.columns()).contains("hour_start")
        ? partials.sortWithinPartitions("hour_start") : partials;
    return sorted.write().mode(SaveMode.Overwrite).option("parquet.block.size", rowGroupBytes);
  }

  /** The row group size of the partials it writes ({@link #ROW_GROUP_BYTES}; tests make it small). */
  ParquetAggregateStore rowGroupBytes(long bytes) {
    this.rowGroupBytes = bytes;
    return this;
  }

  /** Writes the merged partials of every batch up to {@code committed} as one file set and switches to it. */
  void compact(Pipeline pipeline, AggregationProgress committed) {
    long t0 = System.nanoTime();
    Long previous = layout.compactedUpTo(pipeline);
    long upTo = committed.batchId();
    partialWriter(ParquetRetention.retained(aggregates(pipeline, committed), pipeline, retention, committed))
        .parquet(layout.compactedDir(pipeline, upTo).toString());
    try {
      FileSystem fs = layout.fs();
      Path marker = layout.marker(pipeline);
      Path tmp = new Path(layout.compactedRoot(pipeline), "_tmp-" + UUID.randomUUID());
      try (var out = fs.create(tmp, true)) {
        out.write(Long.toString(upTo).getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(marker, false);
      if (!fs.rename(tmp, marker)) {
        throw new IOException("rename " + tmp + " -> " + marker + " failed");
      }
      int deleted = 0;
      if (previous != null) { // one generation late: nothing reads these once the marker moved twice
        for (long[] batch : layout.batchDirs(pipeline)) {
          if (batch[0] <= previous) {
            fs.delete(layout.batchDir(pipeline, batch[0]), true);
            deleted++;
          }
        }
        for (FileStatus st : fs.listStatus(layout.compactedRoot(pipeline))) {
          String name = st.getPath().getName();
          if (name.startsWith("upto=") && Long.parseLong(name.substring(5)) < previous) {
            fs.delete(st.getPath(), true);
          }
        }
      }
      int quarantined = ParquetRetention.dropQuarantine(layout, pipeline, retention, committed.updatedAt(), upTo);
      LOG.info("{}: compacted batches up to {} into one file set ({} old batch directories removed, expired rows left"
          + " out, {} expired quarantine batch directories deleted) in {} ms", pipeline.id, upTo, deleted, quarantined,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot switch the compacted aggregates of " + pipeline.id, e);
    }
  }

  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    Aggregation aggregation = PipelineDescriptor.of(pipeline).aggregation();
    StructType partial = aggregation.partialSchema();
    List<Path> dirs = layout.committedPartialDirs(pipeline, committed.batchId());
    Dataset<Row> parts = dirs.isEmpty() ? spark.get().createDataFrame(List.of(), partial)
        : spark.get().read().schema(partial).parquet(dirs.stream().map(Path::toString).toArray(String[]::new));
    return aggregation.merge(parts);
  }

  /** What compaction leaves out ({@link ParquetRetention}); null: everything kept. */
  private RetentionPolicy retention;

  /** Sets {@link #retention} ({@code retention.*}). */
  public ParquetAggregateStore retention(RetentionPolicy policy) {
    this.retention = policy;
    return this;
  }

  /** Up to this many stored partial rows a report reads the store without Spark ({@link ParquetPartials}). */
  private long directReadMaxRows = 1_000_000;

  /** Sets {@link #directReadMaxRows} ({@code sink.parquet.direct-read-max-rows}; 0: always Spark). */
  public ParquetAggregateStore directReadMaxRows(long rows) {
    this.directReadMaxRows = rows;
    return this;
  }

  /**
   * A small store's hours read without Spark and held in memory (a few MB), in sheet order; a larger one is left to
   * Spark (empty).
   */
  @Override
  public Optional<HourlyRowsInOrder> hourlyInSheetOrder(List<Integer> silos, Instant from, Instant to) {
    Optional<AggregationProgress> committed = progress.last(Pipeline.SILO_READINGS);
    if (committed.isEmpty()) {
      return Optional.empty();
    }
    ParquetPartials.Read read;
    try {
      read = ParquetPartials.read(layout.hadoop(), layout.committedPartialDirs(Pipeline.SILO_READINGS,
          committed.get().batchId()), Set.copyOf(silos), from, to, directReadMaxRows);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the hourly aggregates under " + layout.root(), e);
    }
    if (read == null) {
      return Optional.empty();
    }
    LOG.info("hourly aggregates {} .. {} read from Parquet without Spark: {} stored partial row(s) decoded, {} skipped"
        + " unread by their row groups' hour statistics", from, to, read.decoded(), read.skipped());
    List<Row> merged = read.rows();
    List<Integer> order = silos.isEmpty()
        ? merged.stream().map(r -> r.getInt(0)).distinct().toList() // key order: ascending silos
        : List.copyOf(silos);
    Map<Integer, List<Row>> bySilo = new HashMap<>();
    merged.forEach(r -> bySilo.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r));
    Iterator<Row> rows = order.stream().flatMap(s -> bySilo.getOrDefault(s, List.of()).stream()).iterator();
    return Optional.of(new HourlyRowsInOrder() {
      @Override
      public List<Integer> silos() {
        return order;
      }

      @Override
      public long batchId() {
        return committed.get().batchId();
      }

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return rows.next();
      }

      @Override
      public void close() {}
    });
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    Path dir = layout.quarantineDir(pipeline);
    if (!exists(dir)) {
      return spark.get().createDataFrame(List.of(), Quarantine.SCHEMA);
    }
    long committed = progress.last(pipeline).map(AggregationProgress::batchId).orElse(-1L);
    return spark.get().read().schema(Quarantine.SCHEMA).parquet(dir.toString()).filter(col("batch_id").leq(committed));
  }

  @Override
  public void requireRangeReplace() {
    throw new Refused(NO_RANGE_REPLACE);
  }

  @Override
  public Optional<AggregationProgress> closeForRevision(Pipeline pipeline, Instant before) {
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

  private boolean exists(Path dir) {
    try {
      return layout.fs().exists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
