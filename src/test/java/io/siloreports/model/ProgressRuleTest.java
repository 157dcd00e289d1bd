package io.siloreports.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressRuleTest {
  private static final Duration LATENESS = Duration.ofMinutes(30);
  private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  private static AggregationProgress first(Instant maxEvent) {
    return ProgressRule.next(Pipeline.SILO_READINGS, Optional.empty(), 0,
        new ProgressRule.BatchCounts(10, 1, 0, maxEvent), LATENESS, NOW);
  }

  @Test
  void finalizedBeforeIsTheHourFloorOfTheLargestEventTimeMinusTheLateness() {
    assertEquals(Instant.parse("2026-11-20T04:00:00Z"), first(Instant.parse("2026-11-20T05:29:59Z")).finalizedBefore());
    assertEquals(Instant.parse("2026-11-20T05:00:00Z"), first(Instant.parse("2026-11-20T05:30:00Z")).finalizedBefore());
    assertEquals(Instant.parse("2026-11-20T05:00:00Z"), first(Instant.parse("2026-11-20T05:59:59.999Z")).finalizedBefore());
  }

  @Test
  void aBatchWithoutValidRecordsLeavesTheTimesAsTheyWere() {
    AggregationProgress none = first(null);
    assertNull(none.finalizedBefore());
    assertNull(none.maxEventTime());
    AggregationProgress p = first(Instant.parse("2026-11-20T05:40:00Z"));
    AggregationProgress next = ProgressRule.next(Pipeline.SILO_READINGS, Optional.of(p), 1,
        new ProgressRule.BatchCounts(0, 3, 0, null), LATENESS, NOW);
    assertEquals(p.finalizedBefore(), next.finalizedBefore());
    assertEquals(p.maxEventTime(), next.maxEventTime());
  }

  @Test
  void timesNeverMoveBackAndTotalsAddUp() {
    AggregationProgress p = first(Instant.parse("2026-11-20T05:40:00Z"));
    AggregationProgress next = ProgressRule.next(Pipeline.SILO_READINGS, Optional.of(p), 1,
        new ProgressRule.BatchCounts(7, 2, 4, Instant.parse("2026-11-20T01:00:00Z")), LATENESS, NOW);
    assertEquals(1, next.batchId());
    assertEquals(Instant.parse("2026-11-20T05:00:00Z"), next.finalizedBefore());
    assertEquals(Instant.parse("2026-11-20T05:40:00Z"), next.maxEventTime());
    assertEquals(17, next.validTotal());
    assertEquals(3, next.badTotal());
    assertEquals(4, next.lateTotal());
    assertEquals(NOW, next.updatedAt());
  }
}
