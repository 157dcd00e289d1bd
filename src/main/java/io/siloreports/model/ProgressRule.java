package io.siloreports.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How a committed micro-batch moves a pipeline's {@code aggregation_progress}: the largest event time seen only
 * grows, and every hour that ended more than the allowed lateness before it is final ({@code finalized_before} is
 * the hour floor of {@code maxEventTime - allowedLateness}, and never moves back). Totals add up. Pure.
 */
public final class ProgressRule {
  private ProgressRule() {}

  /** What one micro-batch saw: records aggregated, bad and late ones, and its largest aggregated event time. */
  public record BatchCounts(long valid, long bad, long late, Instant maxEventTime) {}

  /** The progress after {@code batchId} on top of {@code committed} (empty before the pipeline's first batch). */
  public static AggregationProgress next(Pipeline pipeline, Optional<AggregationProgress> committed, long batchId,
      BatchCounts batch, Duration allowedLateness, Instant now) {
    Instant maxEvent = later(committed.map(AggregationProgress::maxEventTime).orElse(null), batch.maxEventTime());
    Instant finalizedBefore = committed.map(AggregationProgress::finalizedBefore).orElse(null);
    if (maxEvent != null) {
      finalizedBefore = later(finalizedBefore, Times.hourFloor(maxEvent.minus(allowedLateness)));
    }
    return new AggregationProgress(
        pipeline,
        batchId,
        finalizedBefore,
        maxEvent,
        committed.map(AggregationProgress::validTotal).orElse(0L) + batch.valid(),
        committed.map(AggregationProgress::badTotal).orElse(0L) + batch.bad(),
        committed.map(AggregationProgress::lateTotal).orElse(0L) + batch.late(),
        now);
  }

  private static Instant later(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Times.max(a, b);
  }
}
