package io.siloreports.store;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The one retention scenario both stores are tested on ({@link MySqlRetentionIT}, {@link ParquetRetentionTest}): 20
 * days of events, the stream's progress, the ages of each bucket size, so the two check the same cut-offs; the stream
 * running retention itself ({@link io.siloreports.stream.MySqlStreamRetentionIT}) uses its days and ages.
 */
public final class RetentionScenario {
  public static final Instant D0 = Instant.parse("2026-11-01T00:00:00Z");
  public static final Instant NOW = D0.plus(Duration.ofDays(20)).plus(Duration.ofHours(6));
  /** The largest event time committed: the stream's revision horizon is its hour floor minus 7 days, D0 + 13d 3h. */
  public static final Instant MAX_EVENT = D0.plus(Duration.ofDays(20)).plus(Duration.ofHours(3));
  /** A backfill closed the hours before this (earlier than the horizon by age, so the horizon is the age's). */
  public static final Instant CLOSED = D0.plus(Duration.ofDays(12));
  public static final Optional<AggregationProgress> COMMITTED = Optional.of(
      new AggregationProgress(Pipeline.ACTIVITY_EVENTS, 0, CLOSED, MAX_EVENT, 0, 0, 0, 0, CLOSED, null, NOW));
  public static final int[] SIZES = {1, 5, 15, 60};
  public static final RetentionPolicy POLICY = new RetentionPolicy(Map.of(1, Duration.ofDays(5), 5,
      Duration.ofDays(8), 15, Duration.ofDays(10), 60, Duration.ofDays(30)), Duration.ofDays(7), 3, Duration.ofDays(7));

  private RetentionScenario() {}
}
