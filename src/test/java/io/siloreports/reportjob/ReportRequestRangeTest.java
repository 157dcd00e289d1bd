package io.siloreports.reportjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request's range and cut-off are checked as the report will run them: after its defaults. */
class ReportRequestRangeTest {
  private static final Instant NOW = Instant.parse("2026-12-06T19:20:00Z");

  private static ReportRequest request(String from, String to, String asOf) {
    return new ReportRequest(from == null ? null : Instant.parse(from), to == null ? null : Instant.parse(to),
        List.of(), asOf == null ? null : Instant.parse(asOf));
  }

  @Test
  void theDefaultsAreTheLastDaysToTheEndOfTheCutOffsHour() {
    ReportRequest.Resolved r = request(null, null, null).resolve(NOW, 31);
    assertEquals(Instant.parse("2026-12-06T20:00:00Z"), r.to());
    assertEquals(Instant.parse("2026-11-05T20:00:00Z"), r.from());
    assertEquals(NOW, r.asOf());
    assertEquals(r, request(null, null, null).requireRunnable(NOW, 31));
  }

  @Test
  void eachOutOfBoundsRequestIsRefusedWithItsReasonOnceDefaultsApply() {
    Map<ReportRequest, String> refused = Map.of(
        request("1970-01-01T00:00:00Z", null, null), "the range is longer than 3700 days (from 1970-01-01T00:00:00Z,"
            + " to defaulted to 2026-12-06T20:00:00Z)",
        request(null, "1970-01-02T00:00:00Z", "2026-12-06T00:00:00Z"), "the range must start at most 3700 days before"
            + " now and end at most 1 day after the cut-off (2026-12-06T00:00:00Z) (from defaulted to 1969-12-02",
        request(null, "2027-01-01T00:00:00Z", null), "the range must start at most",
        request("2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z", null), "from must be before to",
        request("2026-12-07T00:00:00Z", null, null), "from must be before to (from 2026-12-07T00:00:00Z, to defaulted",
        request("2000-01-01T00:00:00Z", "2026-11-01T00:00:00Z", null), "the range is longer than 3700 days",
        request(null, null, "1990-01-01T00:00:00Z"), "as_of must be at most 3700 days before now and 1 day after it",
        request(null, null, "9000-01-01T00:00:00Z"), "as_of must be at most",
        request(null, null, "2026-12-07T19:21:00Z"), "as_of must be at most");
    refused.forEach((req, reason) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> req.requireRunnable(NOW, 31),
          req.toString());
      assertTrue(e.getMessage().startsWith(reason), req + " -> " + e.getMessage());
    });
  }

  @Test
  void theLimitsThemselvesAreAccepted() {
    Instant from = NOW.minus(ReportRequest.MAX_RANGE);
    request(from.toString(), NOW.toString(), null).requireRunnable(NOW, 31);
    request(null, null, NOW.plus(ReportRequest.MAX_AS_OF_AHEAD).toString()).requireRunnable(NOW, 31);
    request(null, null, NOW.minus(ReportRequest.MAX_RANGE).plus(java.time.Duration.ofDays(31)).toString())
        .requireRunnable(NOW, 31);
    request(null, NOW.plus(ReportRequest.MAX_AS_OF_AHEAD).toString(), null).requireRunnable(NOW, 31);
  }
}
