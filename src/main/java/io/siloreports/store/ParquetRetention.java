package io.siloreports.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A {@link RetentionPolicy} on the Parquet store, applied by the stream itself when it compacts (so nothing else
 * writes meanwhile): the compacted set leaves out expired bucket rows, and the batch directories they came from go
 * with the rest of the previous generation; quarantine batch directories written before the quarantine's cut-off are
 * deleted whole. The cut-offs are the MySQL store's ({@link RetentionPolicy#bucketCutoff}), as of the commit.
 */
final class ParquetRetention {
  private ParquetRetention() {}

  /** The merged partials of {@code pipeline} without the bucket rows expired as of {@code committed}. */
  static Dataset<Row> retained(Dataset<Row> merged, Pipeline pipeline, RetentionPolicy policy,
      AggregationProgress committed) {
    if (policy == null || pipeline != Pipeline.ACTIVITY_EVENTS) {
      return merged; // hourly aggregates are what reports read: kept
    }
    Column keep = lit(true);
    for (int minutes : policy.bucketAges().keySet()) {
      Instant cutoff = policy.bucketCutoff(minutes, committed.updatedAt(), java.util.Optional.of(committed));
      if (cutoff != null) {
        keep = keep.and(col("bucket_minutes").notEqual(minutes)
            .or(col("bucket_start").geq(lit(Timestamp.from(cutoff)))));
      }
    }
    return merged.filter(keep);
  }

  /**
   * Deletes the quarantine directories of committed batches whose files were all written before the quarantine's
   * cut-off ({@code quarantined_at} is the batch's time, so the files' time stands for it). Returns how many went.
   */
  static int dropQuarantine(ParquetLayout layout, Pipeline pipeline, RetentionPolicy policy, Instant now,
      long committedBatchId) {
    Instant cutoff = policy == null ? null : policy.quarantineCutoff(now);
    if (cutoff == null) {
      return 0;
    }
    Path dir = layout.quarantineDir(pipeline);
    int dropped = 0;
    try {
      FileSystem fs = layout.fs();
      if (!fs.exists(dir)) {
        return 0;
      }
      for (FileStatus batch : fs.listStatus(dir)) {
        String name = batch.getPath().getName();
        if (!batch.isDirectory() || !name.startsWith("batch_id=")
            || Long.parseLong(name.substring("batch_id=".length())) > committedBatchId) {
          continue;
        }
        long newest = 0;
        for (FileStatus f : fs.listStatus(batch.getPath())) {
          newest = Math.max(newest, f.getModificationTime());
        }
        if (newest < cutoff.toEpochMilli() && fs.delete(batch.getPath(), true)) {
          dropped++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot apply the quarantine's retention under " + dir, e);
    }
    return dropped;
  }
}
