package io.siloreports.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a committed micro-batch moves a pipeline's {@code aggregation_progress}, and which hours a record may still
 * change. Pure.
 *
 * <ul>
 *   <li>The largest event time seen only grows, and every hour that ended more than the allowed lateness before it
 *       is final ({@code finalized_before} is the hour floor of {@code maxEventTime - allowedLateness}, never
 *       moving back). A record for a final hour is late: it is merged into its hour like any other, and counted.
 *   <li>Hours before the revision horizon are closed: a record for them is too late, kept in the quarantine, not
 *       merged. The horizon is the later of the hour floor of {@code maxEventTime - maxRevisionAge} and the
 *       {@code closed_before} a backfill set (it rewrites those hours from raw data, so nothing else may).
 *   <li>Totals add up; {@code closed_before} and the source position are carried over unless given.
 * </ul>
 */
public final class ProgressRule {
  private ProgressRule() {}

  /** How long hours stay open ({@code allowedLateness}) and revisable ({@code maxRevisionAge}). */
  public record Lateness(Duration allowedLateness, Duration maxRevisionAge) {
    public Lateness {
      if (allowedLateness.isNegative()) {
        throw new IllegalArgumentException("allowed lateness must not be negative, got " + allowedLateness);
      }
      if (maxRevisionAge.compareTo(allowedLateness) < 0) {
        throw new IllegalArgumentException("the maximum revision age (" + maxRevisionAge + ") must not be shorter"
            + " than the allowed lateness (" + allowedLateness + "): an hour would close before it is final");
      }
    }
  }

  /**
   * What one micro-batch saw: records aggregated (late ones included), bad ones, late ones merged, too-late ones
   * kept aside, and its largest aggregated event time.
   */
  public record BatchCounts(long valid, long bad, long late, long tooLate, Instant maxEventTime) {}

  /**
   * The progress after {@code batchId} on top of {@code committed} (empty before the pipeline's first batch);
   * {@code sourcePosition} null keeps the committed one.
   */
  public static AggregationProgress next(Pipeline pipeline, Optional<AggregationProgress> committed, long batchId,
      BatchCounts batch, Lateness lateness, String sourcePosition, Instant now) {
    Instant maxEvent = later(committed.map(AggregationProgress::maxEventTime).orElse(null), batch.maxEventTime());
    Instant finalizedBefore = committed.map(AggregationProgress::finalizedBefore).orElse(null);
    if (maxEvent != null) {
      finalizedBefore = later(finalizedBefore, Times.hourFloor(maxEvent.minus(lateness.allowedLateness())));
    }
    return new AggregationProgress(
        pipeline,
        batchId,
        finalizedBefore,
        maxEvent,
        committed.map(AggregationProgress::validTotal).orElse(0L) + batch.valid(),
        committed.map(AggregationProgress::badTotal).orElse(0L) + batch.bad(),
        committed.map(AggregationProgress::lateTotal).orElse(0L) + batch.late(),
        committed.map(AggregationProgress::tooLateTotal).orElse(0L) + batch.tooLate(),
        committed.map(AggregationProgress::closedBefore).orElse(null),
        sourcePosition != null ? sourcePosition : committed.map(AggregationProgress::sourcePosition).orElse(null),
        now);
  }

  /**
   * The first hour a record may still be merged into, as of {@code committed}: records for earlier hours are too
   * late. Null while nothing is closed.
   */
  public static Instant revisionHorizon(Optional<AggregationProgress> committed, Duration maxRevisionAge) {
    Instant byAge = committed.map(AggregationProgress::maxEventTime)
        .map(t -> Times.hourFloor(t.minus(maxRevisionAge))).orElse(null);
    return later(byAge, committed.map(AggregationProgress::closedBefore).orElse(null));
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Times.max(a, b);
  }
}
