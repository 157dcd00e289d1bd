package io.siloreports.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressRuleTest {
  private static final ProgressRule.Lateness LATENESS =
      new ProgressRule.Lateness(Duration.ofMinutes(30), Duration.ofDays(7));
  private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  private static AggregationProgress first(Instant maxEvent) {
    return ProgressRule.next(Pipeline.SILO_READINGS, Optional.empty(), 0,
        new ProgressRule.BatchCounts(10, 1, 0, 0, maxEvent), LATENESS, null, NOW);
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
        new ProgressRule.BatchCounts(0, 3, 0, 0, null), LATENESS, null, NOW);
    assertEquals(p.finalizedBefore(), next.finalizedBefore());
    assertEquals(p.maxEventTime(), next.maxEventTime());
  }

  @Test
  void timesNeverMoveBackAndTotalsAddUp() {
    AggregationProgress p = first(Instant.parse("2026-11-20T05:40:00Z"));
    AggregationProgress next = ProgressRule.next(Pipeline.SILO_READINGS, Optional.of(p), 1,
        new ProgressRule.BatchCounts(7, 2, 4, 5, Instant.parse("2026-11-20T01:00:00Z")), LATENESS, "id:9", NOW);
    assertEquals(1, next.batchId());
    assertEquals(Instant.parse("2026-11-20T05:00:00Z"), next.finalizedBefore());
    assertEquals(Instant.parse("2026-11-20T05:40:00Z"), next.maxEventTime());
    assertEquals(17, next.validTotal());
    assertEquals(3, next.badTotal());
    assertEquals(4, next.lateTotal());
    assertEquals(5, next.tooLateTotal());
    assertEquals("id:9", next.sourcePosition());
    assertEquals(NOW, next.updatedAt());
    AggregationProgress after = ProgressRule.next(Pipeline.SILO_READINGS, Optional.of(next), 2,
        new ProgressRule.BatchCounts(1, 0, 0, 0, null), LATENESS, null, NOW);
    assertEquals("id:9", after.sourcePosition(), "a batch without a position keeps the committed one");
  }

  @Test
  void theRevisionHorizonIsTheMaxRevisionAgeBehindTheLatestEventOrWhereABackfillClosedHours() {
    assertNull(ProgressRule.revisionHorizon(Optional.empty(), Duration.ofDays(7)));
    AggregationProgress p = first(Instant.parse("2026-11-20T05:40:00Z"));
    assertEquals(Instant.parse("2026-11-13T05:00:00Z"), ProgressRule.revisionHorizon(Optional.of(p), Duration.ofDays(7)));
    AggregationProgress closed = new AggregationProgress(p.pipeline(), p.batchId(), p.finalizedBefore(),
        p.maxEventTime(), 0, 0, 0, 0, Instant.parse("2026-11-19T00:00:00Z"), null, NOW);
    assertEquals(Instant.parse("2026-11-19T00:00:00Z"),
        ProgressRule.revisionHorizon(Optional.of(closed), Duration.ofDays(7)));
    AggregationProgress carried = ProgressRule.next(Pipeline.SILO_READINGS, Optional.of(closed), 1,
        new ProgressRule.BatchCounts(1, 0, 0, 0, null), LATENESS, null, NOW);
    assertEquals(closed.closedBefore(), carried.closedBefore(), "the stream carries a backfill's close over");
  }

  @Test
  void hoursCannotCloseBeforeTheyAreFinal() {
    assertThrows(IllegalArgumentException.class,
        () -> new ProgressRule.Lateness(Duration.ofHours(2), Duration.ofHours(1)));
  }
}
