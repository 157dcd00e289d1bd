package io.siloreports.stream;

import io.siloreports.aggregate.Aggregation;
import io.siloreports.db.Jdbc;
import io.siloreports.db.OutageBackoff;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FSError;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@code foreachBatch} for one pipeline. Per micro-batch, in one pass over the raw lines
 * ({@link BatchPass}): parse and validate them, and classify every record against the committed progress:
 *
 * <ul>
 *   <li>bad (invalid) records go to the quarantine with their reason;
 *   <li>valid records for an hour closed for revision ({@link ProgressRule#revisionHorizon}) are too late: kept in
 *       the quarantine, counted, not merged;
 *   <li>every other valid record is merged into its hour; the ones whose hour was already final
 *       ({@code finalized_before}) are late, counted per hour with the time of the revision.
 * </ul>
 *
 * Partials, quarantine and the new progress commit together. Replays (Spark re-runs the last batch after a crash,
 * with the same id and the same data) are fenced: a batch id at or below the committed one is skipped. A batch
 * that crashed before its commit is simply computed again against the same committed progress.
 *
 * <p>Two answers of the store make it classify the batch again before committing: a backfill closed hours after
 * the batch was classified (their records are now too late), or the store refused some aggregate rows (their
 * records go to the quarantine with the store's reason, so one record the store cannot hold never stops the
 * pipeline).
 */
public final class MicroBatchAggregator {
  private static final Logger LOG = LoggerFactory.getLogger(MicroBatchAggregator.class);
  /** Rounds of classification per batch: each round is caused by a backfill's close or a refused row. */
  private static final int MAX_ROUNDS = 10;

  private final Pipeline pipeline;
  private final AggregateStore store;
  private final ProgressStore progress;
  private final ValidationRules rules;
  private final ProgressRule.Lateness lateness;
  private final Clock clock;
  private Duration storeOutageTolerance = Duration.ZERO;
  private StreamMetrics metrics;

  public MicroBatchAggregator(Pipeline pipeline, AggregateStore store, ProgressStore progress, ValidationRules rules,
      ProgressRule.Lateness lateness, Clock clock) {
    this.pipeline = pipeline;
    this.store = store;
    this.progress = progress;
    this.rules = rules;
    this.lateness = lateness;
    this.clock = clock;
  }

  /** What one call did, for logs and tests. */
  public record BatchResult(long batchId, boolean skipped, long valid, long bad, long late, long tooLate,
      AggregationProgress progress) {}

  /**
   * How long a batch waits out an unreachable store (MySQL stopped, a network partition) or a full disk under the
   * Parquet warehouse, retrying with backoff from 1 s to 10 s; then it fails with the reason. Zero: fail at once.
   */
  public MicroBatchAggregator storeOutageTolerance(Duration tolerance) {
    this.storeOutageTolerance = tolerance;
    return this;
  }

  /** Where its committed batches and outage waits are counted (none: not counted). */
  public MicroBatchAggregator metrics(StreamMetrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /** The engine waits out this pipeline's unreachable source once more. */
  void sourceOutageWait() {
    if (metrics != null) {
      metrics.outageWait(pipeline, "source");
    }
  }

  /** {@code lines}: columns {@code line} and {@code source}, as the sources produce them. */
  public BatchResult process(Dataset<Row> lines, long batchId) {
    return process(lines, batchId, null);
  }

  /**
   * The same, for a source read by position: {@code sourcePosition} is committed with the batch (null keeps the
   * committed one).
   */
  public BatchResult process(Dataset<Row> lines, long batchId, String sourcePosition) {
    OutageBackoff outage = null; // from the first failure on
    long started = System.nanoTime();
    while (true) {
      try {
        BatchResult result = processOnce(lines, batchId, sourcePosition);
        if (metrics != null && !result.skipped()) {
          metrics.committed(pipeline, result, Duration.ofNanos(System.nanoTime() - started));
        }
        if (outage != null) {
          LOG.info("{} batch {}: {} reachable again after {} s; the batch is committed", pipeline.id, batchId,
              store.describe(), outage.elapsed().toSeconds());
        }
        return result;
      } catch (Exception | FSError e) { // Spark's own (checked) SparkException; FSError: Hadoop on a full disk
        boolean full = isDiskFull(e);
        if (!full && !Jdbc.isUnreachable(e)) {
          throw e;
        }
        outage = outage == null ? new OutageBackoff(storeOutageTolerance) : outage;
        Duration down = outage.elapsed();
        String what = full ? "no space left on device writing to " + store.describe() : store.describe()
            + " unreachable";
        long wait = outage.nextPauseMillis();
        if (wait > 0 && metrics != null) {
          metrics.outageWait(pipeline, "store");
        }
        if (wait == 0) {
          throw new IllegalStateException(pipeline.id + " batch " + batchId + ": " + what + " for "
              + down.toSeconds() + " s, the longest stream.store-outage-tolerance allows (" + storeOutageTolerance
              + "): stopping. Nothing of the batch was committed; a restart replays it once the "
              + (full ? "disk has space again" : "database is back") + ". Last error: " + rootMessage(e), e);
        }
        LOG.warn("{} batch {}: {} ({}); {}trying again in {} s (waiting {} s of at most {})", pipeline.id,
            batchId, what, rootMessage(e), full ? "free space there; nothing of the batch is committed until it"
                + " is written whole; " : "", Math.max(1, wait / 1000), down.toSeconds(), storeOutageTolerance);
        try {
          outage.pause(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(pipeline.id + " batch " + batchId + ": interrupted while waiting for "
              + store.describe(), ie);
        }
      }
    }
  }

  /** Whether {@code e} comes from a full disk (ENOSPC, or a quota), in the driver or in a task. */
  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
        return true;
      }
    }
    return false;
  }

  /** The first line of the innermost cause's message: what a log line or an error says went wrong. */
  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }

  private BatchResult processOnce(Dataset<Row> lines, long batchId, String sourcePosition) {
    Optional<AggregationProgress> committed = progress.last(pipeline);
    if (replayed(committed, batchId)) {
      return new BatchResult(batchId, true, 0, 0, 0, 0, committed.get());
    }
    long started = System.nanoTime();
    Instant now = clock.instant();
    Map<String, String> refused = new LinkedHashMap<>();
    for (int round = 1; ; round++) {
      try {
        return commit(lines, batchId, committed, refused, sourcePosition, now, started);
      } catch (AggregateStore.RevisionsClosed e) {
        LOG.info("{} batch {}: {}; classifying the batch again", pipeline.id, batchId, e.getMessage());
        committed = progress.last(pipeline);
        if (replayed(committed, batchId)) {
          return new BatchResult(batchId, true, 0, 0, 0, 0, committed.get());
        }
      } catch (AggregateStore.RowsRejected e) {
        BatchPass.HourKeys hourKeys = BatchPass.HourKeys.ofPartials(PipelineDescriptor.of(pipeline));
        for (AggregateStore.Rejection r : e.rejections()) {
          refused.put(hourKeys.of(r.partial()), r.reason());
        }
        LOG.warn("{} batch {}: {} aggregate row(s) refused by {} (first: {}); their records go to the quarantine",
            pipeline.id, batchId, e.rejections().size(), store.describe(), e.rejections().get(0).reason());
      }
      if (round >= MAX_ROUNDS) {
        throw new IllegalStateException(pipeline.id + " batch " + batchId + ": still not committed after "
            + MAX_ROUNDS + " rounds of classification (hours closed by backfills or rows refused by the store)");
      }
    }
  }

  private boolean replayed(Optional<AggregationProgress> committed, long batchId) {
    if (committed.isPresent() && batchId < committed.get().batchId()) {
      // Spark re-runs only its last batch; an older id means the checkpoint is not the one the store followed.
      throw new IllegalStateException(pipeline.id + ": Spark's checkpoint is at batch " + batchId + " but the"
          + " aggregates already committed batch " + committed.get().batchId() + " (" + store.describe() + "): the"
          + " checkpoint directory was deleted, moved or belongs to another store. Nothing was written. Restore the"
          + " checkpoint, or rebuild: an empty store and a fresh checkpoint (or, for a source that will not be read"
          + " again from its start, delete the pipeline's aggregation_progress row to continue from here).");
    }
    if (committed.isPresent() && batchId == committed.get().batchId()) {
      LOG.info("{} batch {}: already committed (last committed batch {}), skipping the replay",
          pipeline.id, batchId, committed.get().batchId());
      return true;
    }
    return false;
  }

  private BatchResult commit(Dataset<Row> lines, long batchId, Optional<AggregationProgress> committed,
      Map<String, String> refused, String sourcePosition, Instant now, long started) {
    Instant finalizedBefore = committed.map(AggregationProgress::finalizedBefore).orElse(null);
    Instant horizon = ProgressRule.revisionHorizon(committed, lateness.maxRevisionAge());
    BatchPass pass = new BatchPass(pipeline, rules, now, batchId, finalizedBefore, horizon,
        tooLateWhy(horizon, committed), refused);
    BatchPass.Result result = pass.run(lines);
    long passed = System.nanoTime();
    BatchPass.Counts c = result.counts();
    ProgressRule.BatchCounts counts =
        new ProgressRule.BatchCounts(c.merged(), c.bad(), c.late(), c.tooLate(), c.maxEventTime());
    AggregationProgress next =
        ProgressRule.next(pipeline, committed, batchId, counts, lateness, sourcePosition, now);
    PipelineDescriptor.of(pipeline).aggregation().check(result.partials(), counts.valid())
        .ifPresent(check -> crossCheck(check, batchId));
    if (result.inlineQuarantine() != null) {
      store.commit(pipeline, result.partials(), result.inlineQuarantine(), next);
    } else {
      store.commit(pipeline, result.partials(), result.quarantinePass(), next);
    }
    long stored = System.nanoTime();
    LOG.info("{} batch {}: {} records merged ({} late, into hours already final) into {} keys, {} bad and {} too"
            + " late quarantined; finalized_before {} (max event time {}); totals {} merged ({} late), {} bad, {}"
            + " too late; {} ms (read and combined {} ms, stored {} ms)",
        pipeline.id, batchId, counts.valid(), counts.late(), result.partials().size(), counts.bad(),
        counts.tooLate(), next.finalizedBefore(), next.maxEventTime(), next.validTotal(), next.lateTotal(),
        next.badTotal(), next.tooLateTotal(), (stored - started) / 1_000_000, (passed - started) / 1_000_000,
        (stored - passed) / 1_000_000);
    return new BatchResult(batchId, false, counts.valid(), counts.bad(), counts.late(), counts.tooLate(), next);
  }

  /** Why records of hours before the horizon are too late: what closed them. */
  private String tooLateWhy(Instant horizon, Optional<AggregationProgress> committed) {
    if (horizon == null) {
      return null;
    }
    Instant closedByBackfill = committed.map(AggregationProgress::closedBefore).orElse(null);
    return horizon.equals(closedByBackfill)
        ? "a backfill closed the hours before " + horizon + " for revision"
        : "hours before " + horizon + " are closed for revision (more than " + lateness.maxRevisionAge()
            + " before the latest event time " + committed.map(AggregationProgress::maxEventTime).orElse(null) + ")";
  }

  /**
   * The aggregation's own check of a micro-batch (seed 002's for bucket counts: every bucket size counts each merged
   * event once). A failed check is a defect, not bad input: the batch is not committed.
   */
  private void crossCheck(Aggregation.Check check, long batchId) {
    String line = check.totals();
    if (!check.held()) {
      LOG.error("{} batch {}: cross-check FAILED: {}", pipeline.id, batchId, line);
      throw new IllegalStateException(pipeline.id + " batch " + batchId + ": bucket counts disagree with the events ("
          + line + "); nothing was committed");
    }
    LOG.info("{} batch {}: cross-check ok: {}", pipeline.id, batchId, line);
  }
}
