package io.siloreports.report.statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The summary's chart data (hourly averages per silo) and its bounded lists of anomalies and gaps, checked against a
 * plain computation over the readings each hour was built from.
 */
class ReportFindingsTest {
  /** Decimals read exactly, not as doubles (Jackson writes them without trailing zeros). */
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");

  /** Hours of random readings with some hours left empty; {@code expected} gets each hour's average (or null). */
  private static List<SiloHour> hours(Random random, int count, List<BigDecimal> expected) {
    List<SiloHour> out = new ArrayList<>();
    for (int h = 0; h < count; h++) {
      if (random.nextInt(5) == 0) {
        expected.add(null);
        continue;
      }
      int n = 1 + random.nextInt(6);
      BigDecimal sum = BigDecimal.ZERO;
      BigDecimal min = null;
      BigDecimal max = null;
      for (int i = 0; i < n; i++) {
        BigDecimal v = BigDecimal.valueOf(random.nextInt(100_000), 3);
        sum = sum.add(v);
        min = min == null || v.compareTo(min) < 0 ? v : min;
        max = max == null || v.compareTo(max) > 0 ? v : max;
      }
      expected.add(sum.divide(BigDecimal.valueOf(n), 10, RoundingMode.HALF_UP).setScale(2, RoundingMode.HALF_UP));
      out.add(new SiloHour(FROM.plus(h, ChronoUnit.HOURS), sum, n, min, max, 0, false));
    }
    return out;
  }

  @Test
  void eachSiloCarriesOneAverageAHourAndTheListsAreBounded() throws Exception {
    Random random = new Random(26);
    int hours = 72;
    Instant end = FROM.plus(hours, ChronoUnit.HOURS);
    ReportStatistics statistics = new ReportStatistics(FROM, end, end, StatisticsSettings.DEFAULTS);
    List<List<BigDecimal>> expected = new ArrayList<>();
    for (int silo = 1; silo <= 3; silo++) {
      List<BigDecimal> e = new ArrayList<>();
      statistics.add(silo, hours(random, hours, e));
      expected.add(e);
    }
    JsonNode json = JSON.readTree(statistics.toJson());
    assertEquals(1, json.get("series").get("stepHours").asInt());
    assertEquals(hours, json.get("series").get("points").asInt());
    assertEquals(FROM.toString(), json.get("series").get("from").asText());
    long gapHours = 0;
    for (int silo = 0; silo < 3; silo++) {
      JsonNode a = json.get("silos").get(silo).get("hourlyAverages");
      assertEquals(hours, a.size());
      for (int h = 0; h < hours; h++) {
        BigDecimal want = expected.get(silo).get(h);
        if (want == null) {
          assertTrue(a.get(h).isNull(), "silo " + (silo + 1) + " hour " + h + " has no data");
          gapHours++;
        } else {
          assertEquals(0, want.compareTo(a.get(h).decimalValue()), "silo " + (silo + 1) + " hour " + h + ": " + want + " vs " + a.get(h));
        }
      }
    }
    long listedGapHours = 0;
    for (JsonNode g : json.get("gapList")) {
      listedGapHours += g.get("hours").asLong();
    }
    assertEquals(gapHours, listedGapHours, "every gap hour listed (fewer than the bound)");
    assertEquals(json.get("allSilos").get("anomalies").asLong(), json.get("anomalyList").size());
  }

  @Test
  void aLongRangeIsBoundedToAPointPerStepOfHours() throws Exception {
    int hours = 24 * 90;
    Instant end = FROM.plus(hours, ChronoUnit.HOURS);
    ReportStatistics statistics = new ReportStatistics(FROM, end, end, StatisticsSettings.DEFAULTS);
    List<SiloHour> list = new ArrayList<>();
    for (int h = 0; h < hours; h++) { // readings h and h + 1: the hour's average is h + 0.5
      list.add(new SiloHour(FROM.plus(h, ChronoUnit.HOURS), BigDecimal.valueOf(2L * h + 1), 2, BigDecimal.valueOf(h),
          BigDecimal.valueOf(h + 1), 0, false));
    }
    statistics.add(1, list);
    JsonNode json = JSON.readTree(statistics.toJson());
    int step = json.get("series").get("stepHours").asInt();
    JsonNode a = json.get("silos").get(0).get("hourlyAverages");
    assertEquals(3, step, "2160 hours in at most 744 points");
    assertEquals(720, a.size());
    // Point p averages hours 3p..3p+2, two readings each: (3p + 1) + 0.5 = 3p + 1.5
    for (int p = 0; p < a.size(); p++) {
      assertEquals(0, BigDecimal.valueOf(3L * p).add(new BigDecimal("1.50")).compareTo(a.get(p).decimalValue()),
          "point " + p + ": " + a.get(p));
    }
  }

  @Test
  void silosPastTheFirst500HaveNoChartAndTheListsStopAt200() throws Exception {
    Instant end = FROM.plus(3, ChronoUnit.HOURS);
    ReportStatistics statistics = new ReportStatistics(FROM, end, end, StatisticsSettings.DEFAULTS);
    for (int silo = 1; silo <= 501; silo++) { // hour 1 without data: one gap per silo
      statistics.add(silo, List.of(
          new SiloHour(FROM, BigDecimal.ONE, 1, BigDecimal.ONE, BigDecimal.ONE, 0, false),
          new SiloHour(FROM.plus(2, ChronoUnit.HOURS), BigDecimal.ONE, 1, BigDecimal.ONE, BigDecimal.ONE, 0, false)));
    }
    JsonNode json = JSON.readTree(statistics.toJson());
    assertEquals(3, json.get("silos").get(499).get("hourlyAverages").size());
    assertTrue(json.get("silos").get(500).get("hourlyAverages") == null, "silo 501 has no chart");
    assertEquals(501, json.get("allSilos").get("hoursWithoutData").asInt());
    assertEquals(200, json.get("gapList").size());
    assertEquals(200, json.get("listedAtMost").asInt());
  }
}
