package io.siloreports.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportRangeTest {
  private static Instant t(String hhmm) {
    return Instant.parse("2026-11-20T" + hhmm + ":00Z");
  }

  @Test
  void hoursBeforeFinalizedBeforeAndTheCutOffsHourComeFromTheAggregates() {
    ReportRange r = new ReportRange(t("00:00"), t("12:00"), t("09:30"), t("07:00"));
    assertEquals(t("07:00"), r.split());
    assertEquals(t("09:30"), r.hotEnd(), "raw readings up to the cut-off");
    assertTrue(r.hasFinalizedPart());
    assertTrue(r.hasHotPart());
  }

  @Test
  void aCutOffBeforeFinalizedBeforeSplitsAtTheCutOffsHour() {
    ReportRange r = new ReportRange(t("00:00"), t("12:00"), t("05:20"), t("07:00"));
    assertEquals(t("05:00"), r.split(), "hours after the cut-off's hour may hold readings after the cut-off");
    assertEquals(t("05:20"), r.hotEnd());
  }

  @Test
  void withoutProgressEverythingIsRaw() {
    ReportRange r = new ReportRange(t("00:00"), t("12:00"), t("13:00"), null);
    assertEquals(t("00:00"), r.split());
    assertFalse(r.hasFinalizedPart());
    assertEquals(t("12:00"), r.hotEnd(), "the range ends before the cut-off");
  }

  @Test
  void theSplitStaysInsideTheRange() {
    assertEquals(t("03:00"), new ReportRange(t("03:00"), t("06:00"), t("13:00"), t("01:00")).split());
    ReportRange allFinal = new ReportRange(t("03:00"), t("06:00"), t("13:00"), t("10:00"));
    assertEquals(t("06:00"), allFinal.split());
    assertFalse(allFinal.hasHotPart());
  }

  @Test
  void boundsAreWidenedToWholeHoursAndAnEmptyRangeIsRefused() {
    ReportRange r = new ReportRange(t("03:20"), t("05:10"), t("13:00"), null);
    assertEquals(t("03:00"), r.from());
    assertEquals(t("06:00"), r.to());
    assertThrows(IllegalArgumentException.class, () -> new ReportRange(t("05:00"), t("05:00"), t("13:00"), null));
  }

  @Test
  void splitOnWhatWasCommittedEveryHourComesFromTheAggregatesAndEveryUncommittedReadingIsRaw() {
    // nothing committed at or after the cut-off: the cut-off's hour too comes from the aggregates
    ReportRange now = new ReportRange(t("00:00"), t("12:00"), t("09:30"), t("07:00"), t("09:10"), true);
    assertEquals(t("10:00"), now.split());
    assertEquals(t("00:00"), now.uncommittedFrom(), "uncommitted readings of every hour, not after finalized_before");
    assertEquals(t("09:30"), now.hotEnd());
    assertTrue(now.hasFinalizedPart() && now.hasHotPart());
    // a cut-off before the newest committed reading: its hour's committed readings are read raw, up to the cut-off
    ReportRange past = new ReportRange(t("00:00"), t("12:00"), t("05:20"), t("07:00"), t("07:40"), true);
    assertEquals(t("05:00"), past.split());
    assertEquals(t("00:00"), past.uncommittedFrom());
    // a range that ended before the cut-off: all of it from the aggregates plus what is uncommitted
    ReportRange ended = new ReportRange(t("00:00"), t("06:00"), t("09:30"), t("07:00"), t("11:00"), true);
    assertEquals(t("06:00"), ended.split());
    assertEquals(t("06:00"), ended.hotEnd());
    assertTrue(ended.hasHotPart(), "uncommitted readings of the range are still read");
    // nothing committed: an event-time split at the range's start, everything raw
    ReportRange none = new ReportRange(t("00:00"), t("12:00"), t("09:30"), null, null, true);
    assertFalse(none.byCommitted());
    assertEquals(t("00:00"), none.split());
  }
}
