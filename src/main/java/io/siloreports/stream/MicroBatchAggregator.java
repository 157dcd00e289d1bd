package io.siloreports.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.aggregate.TimeBuckets;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.Quarantine;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@code foreachBatch} for one pipeline. Per micro-batch: parse and validate the raw lines,
 * split off bad records, mark as late every valid record whose hour is before the committed
 * {@code finalized_before}, aggregate the rest into partials, and commit partials, quarantine and the new
 * progress together. Deciding "late" here, instead of in a Spark watermark, is what keeps late readings
 * (Spark's stateful operators would drop them and only count them).
 *
 * <p>Replays (Spark re-runs the last batch after a crash, with the same id and the same data) are fenced:
 * a batch id at or below the committed one is skipped. A batch that crashed before its commit is simply
 * computed again against the same committed progress, so it produces the same result.
 */
public final class MicroBatchAggregator {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatchAggregator.class);

  private final Pipeline pipeline;
  private final AggregateStore store;
  private final ProgressStore progress;
  private final ValidationRules rules;
  private final Duration allowedLateness;
  private final Clock clock;

  public MicroBatchAggregator(Pipeline pipeline, AggregateStore store, ProgressStore progress, ValidationRules rules,
      Duration allowedLateness, Clock clock) {
    this.pipeline = pipeline;
    this.store = store;
    this.progress = progress;
    this.rules = rules;
    this.allowedLateness = allowedLateness;
    this.clock = clock;
  }

  /** What one call did, for logs and tests. */
  public record BatchResult(long batchId, boolean skipped, long valid, long bad, long late, AggregationProgress progress) {}

  /** {@code lines}: columns {@code line} and {@code source}, as the sources produce them. */
  public BatchResult process(Dataset<Row> lines, long batchId) {
    Optional<AggregationProgress> committed = progress.last(pipeline);
    if (committed.isPresent() && batchId <= committed.get().batchId()) {
      LOG.info("{} batch {}: already committed (last committed batch {}), skipping the replay",
          pipeline.id, batchId, committed.get().batchId());
      return new BatchResult(batchId, true, 0, 0, 0, committed.get());
    }
    long started = System.nanoTime();
    Instant now = clock.instant();
    Instant finalizedBefore = committed.map(AggregationProgress::finalizedBefore).orElse(null);

    Column late =
        finalizedBefore == null
            ? lit(false)
            : ParsedRecords.VALID.and(TimeBuckets.hourStart(col("ts")).lt(lit(Timestamp.from(finalizedBefore))));
    Dataset<Row> classified =
        ParsedRecords.parse(lines, pipeline, rules, now).withColumn("late", late)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Column onTime = ParsedRecords.VALID.and(col("late").equalTo(false));
      Row stats =
          classified
              .agg(
                  count(when(onTime, lit(1))).as("valid"),
                  count(when(ParsedRecords.BAD, lit(1))).as("bad"),
                  count(when(col("late"), lit(1))).as("late"),
                  max(when(onTime, col("ts"))).as("max_ts"))
              .first();
      long valid = stats.getLong(0);
      long bad = stats.getLong(1);
      long lateCount = stats.getLong(2);
      Instant batchMax = stats.isNullAt(3) ? null : stats.getTimestamp(3).toInstant();

      AggregationProgress next = ProgressRule.next(pipeline, committed, batchId,
          new ProgressRule.BatchCounts(valid, bad, lateCount, batchMax), allowedLateness, now);

      Dataset<Row> partials = Aggregations.partials(pipeline, classified.filter(onTime));
      Dataset<Row> quarantine = Quarantine.of(classified, pipeline, batchId, finalizedBefore, now);
      store.commit(pipeline, partials, quarantine, next);

      LOG.info("{} batch {}: {} records aggregated, {} bad and {} late quarantined; finalized_before {} "
              + "(max event time {}); totals {} aggregated, {} bad, {} late; {} ms",
          pipeline.id, batchId, valid, bad, lateCount, next.finalizedBefore(), next.maxEventTime(),
          next.validTotal(), next.badTotal(), next.lateTotal(), (System.nanoTime() - started) / 1_000_000);
      return new BatchResult(batchId, false, valid, bad, lateCount, next);
    } finally {
      classified.unpersist();
    }
  }
}
