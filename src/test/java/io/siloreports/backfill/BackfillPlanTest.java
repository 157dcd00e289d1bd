package io.siloreports.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackfillPlanTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Pipeline R = Pipeline.SILO_READINGS;
  private static final Pipeline E = Pipeline.ACTIVITY_EVENTS;

  private static Instant at(String hhmm) {
    return Instant.parse("2026-11-20T" + hhmm + ":00Z");
  }

  private static Map<Pipeline, Optional<AggregationProgress>> committed(Instant readingsFinalizedBefore) {
    return Map.of(R, Optional.of(new AggregationProgress(R, 4, readingsFinalizedBefore, at("10:41"), 100, 0, 0,
        0, null, null, at("10:42"))), E, Optional.empty());
  }

  @Test
  void toDefaultsToFinalizedBeforeAndMayNotPassIt() {
    assertEquals(List.of(new BackfillPlan.Range(R, DAY, at("10:00"), at("10:00"), null)),
        BackfillPlan.of(List.of(R), DAY, null, false, committed(at("10:00"))));
    assertEquals(at("09:00"), BackfillPlan.of(List.of(R), DAY, at("09:00"), false, committed(at("10:00"))).get(0).to());
    Refused late = assertThrows(Refused.class,
        () -> BackfillPlan.of(List.of(R), DAY, at("11:00"), false, committed(at("10:00"))));
    assertTrue(late.getMessage().startsWith("--to 2026-11-20T11:00:00Z is after silo-readings's finalized_before"
        + " 2026-11-20T10:00:00Z: hours from 2026-11-20T10:00:00Z on are not final yet"), late.getMessage());
  }

  @Test
  void nothingToDoIsRefused() {
    assertTrue(assertThrows(Refused.class,
        () -> BackfillPlan.of(List.of(R), at("10:00"), null, false, committed(at("10:00")))).getMessage()
        .startsWith("nothing to backfill for silo-readings: --from 2026-11-20T10:00:00Z is not before its"
            + " finalized_before"));
  }

  @Test
  void aPipelineWithoutProgressNeedsForceAndAnExplicitTo() {
    String noProgress = assertThrows(Refused.class,
        () -> BackfillPlan.of(List.of(E), DAY, null, false, committed(at("10:00")))).getMessage();
    assertTrue(noProgress.startsWith("activity-events has no aggregation_progress row"), noProgress);
    assertTrue(noProgress.contains("--force"), noProgress);
    assertTrue(assertThrows(Refused.class, () -> BackfillPlan.of(List.of(E), DAY, null, true, committed(at("10:00"))))
        .getMessage().contains("give --to"));
    BackfillPlan.Range forced = BackfillPlan.of(List.of(E), DAY, DAY.plus(Duration.ofDays(1)), true,
        committed(at("10:00"))).get(0);
    assertEquals(DAY.plus(Duration.ofDays(1)), forced.to());
    assertNull(forced.finalizedBefore());
    assertTrue(forced.forcedBecause().contains("no aggregation_progress row"));
  }

  @Test
  void aRowWithoutFinalizedBeforeSaysSo() {
    Map<Pipeline, Optional<AggregationProgress>> noReading =
        Map.of(R, Optional.of(new AggregationProgress(R, 0, null, null, 0, 3, 0, 0, null, null, at("10:42"))));
    assertTrue(assertThrows(Refused.class, () -> BackfillPlan.of(List.of(R), DAY, null, false, noReading))
        .getMessage().startsWith("silo-readings has no finalized_before yet"));
  }

  @Test
  void chunksAreAlignedToTheirSizeAndClippedToTheRange() {
    List<Instant[]> c = BackfillPlan.chunks(at("06:00"), Instant.parse("2026-11-22T03:00:00Z"), Duration.ofDays(1));
    assertEquals(3, c.size());
    assertEquals(List.of(at("06:00"), Instant.parse("2026-11-21T00:00:00Z")), List.of(c.get(0)));
    assertEquals("2026-11-21", BackfillJob.label(c.get(1)[0], c.get(1)[1]));
    assertEquals("2026-11-22T00:00Z..2026-11-22T03:00Z", BackfillJob.label(c.get(2)[0], c.get(2)[1]));
    assertEquals(5, BackfillPlan.chunks(at("01:00"), at("10:00"), Duration.ofHours(2)).size(), "[1,2) [2,4) .. [8,10)");
    assertThrows(IllegalArgumentException.class, () -> BackfillPlan.chunks(at("01:00"), at("10:00"), Duration.ofMinutes(90)));
  }
}
