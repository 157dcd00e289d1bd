package io.siloreports.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronTest {
  private static Instant at(String t) {
    return Instant.parse(t);
  }

  @Test
  void latestTickAtOrBefore() {
    Cron daily = Cron.parse("5 6 * * *");
    assertEquals(at("2026-11-30T06:05:00Z"), daily.latestAtOrBefore(at("2026-11-30T06:05:59Z")));
    assertEquals(at("2026-11-29T06:05:00Z"), daily.latestAtOrBefore(at("2026-11-30T06:04:59Z")));
    Cron everyMinute = Cron.parse("* * * * *");
    assertEquals(at("2026-11-30T10:17:00Z"), everyMinute.latestAtOrBefore(at("2026-11-30T10:17:42Z")));
    Cron quarter = Cron.parse("*/15 8-17 * * MON-FRI");
    assertEquals(at("2026-11-27T17:45:00Z"), quarter.latestAtOrBefore(at("2026-11-29T12:00:00Z")), "Sunday -> Friday");
    assertEquals(at("2026-11-30T08:15:00Z"), quarter.latestAtOrBefore(at("2026-11-30T08:29:00Z")));
  }

  @Test
  void fieldsListsRangesStepsAndNames() {
    Cron c = Cron.parse("0,30 9 1-7 JAN,jul 1");
    assertTrue(c.matches(at("2026-01-05T09:30:00Z")), "day-of-month 5 in 1-7");
    assertTrue(c.matches(at("2026-07-27T09:00:00Z")), "a Monday: either day field matches when both are restricted");
    assertFalse(c.matches(at("2026-02-02T09:00:00Z")), "February is not listed");
    assertTrue(Cron.parse("0 0 * * 7").matches(at("2026-11-29T00:00:00Z")), "7 is Sunday too");
    assertEquals(at("2024-02-29T00:00:00Z"), Cron.parse("0 0 29 2 *").latestAtOrBefore(at("2026-11-30T00:00:00Z")));
    assertNull(Cron.parse("0 0 31 2 *").latestAtOrBefore(at("2026-11-30T00:00:00Z")), "31 February never comes");
  }

  @Test
  void badExpressionsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Cron.parse("* * *")).getMessage()
        .contains("5 fields"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Cron.parse("61 * * * *")).getMessage()
        .contains("minute 61 is outside 0-59"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Cron.parse("* * * FOO *")).getMessage()
        .contains("bad month 'FOO'"));
  }
}
