package io.siloreports.report.statistics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The statistics against a plain computation over raw readings (the oracle below never calls the code under test),
 * and the anomaly rule against planted anomalies and against smooth random walks.
 */
class SiloStatisticsTest {
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final StatisticsSettings RULES = StatisticsSettings.DEFAULTS;

  /** A raw reading. */
  record Reading(Instant ts, BigDecimal value) {}

  @Test
  void everySummaryFigureEqualsAComputationOverTheRawReadings() {
    Random random = new Random(7);
    for (int round = 0; round < 40; round++) {
      int days = 1 + random.nextInt(20);
      Instant end = FROM.plus(days, ChronoUnit.DAYS);
      List<Reading> raw = new ArrayList<>();
      int kind = round % 5;
      if (kind == 1) { // one reading
        raw.add(reading(FROM.plusSeconds(random.nextInt(days * 86_400)), random));
      } else if (kind != 2) { // kind 2: none at all
        double level = random.nextDouble() * 200 - 100; // negative values too
        for (long t = FROM.getEpochSecond(); t < end.getEpochSecond(); t += 1 + random.nextInt(1_800)) {
          Instant ts = Instant.ofEpochSecond(t, random.nextInt(1_000) * 1_000_000L);
          // gaps: whole stretches without readings, at the range's ends too
          long hourOfRange = (t - FROM.getEpochSecond()) / 3600;
          if (kind == 3 && (hourOfRange < 5 || hourOfRange % 50 < 7 || t > end.getEpochSecond() - 4 * 3600)) {
            continue;
          }
          level += random.nextGaussian();
          raw.add(new Reading(ts, BigDecimal.valueOf(level).setScale(2, RoundingMode.HALF_UP)));
        }
      }
      Instant cutoff = kind == 4 ? end.minus(30, ChronoUnit.HOURS).plusSeconds(1234) : end.plusSeconds(3600);
      raw.removeIf(r -> !r.ts().isBefore(cutoff));
      ReportStatistics statistics = new ReportStatistics(FROM, end, cutoff, RULES);
      SiloAnalysis analysis = statistics.add(9, hours(raw));
      assertMatchesOracle(analysis, raw, end, cutoff);
    }
  }

  @Test
  void theAllSilosFiguresAreOverEveryReading() {
    Random random = new Random(11);
    Instant end = FROM.plus(3, ChronoUnit.DAYS);
    ReportStatistics statistics = new ReportStatistics(FROM, end, end, RULES);
    List<Reading> all = new ArrayList<>();
    for (int silo = 1; silo <= 4; silo++) {
      List<Reading> raw = new ArrayList<>();
      for (int i = 0; i < (silo == 3 ? 0 : 500 * silo); i++) {
        raw.add(reading(FROM.plusSeconds(random.nextInt(3 * 86_400)), random));
      }
      raw.sort((a, b) -> a.ts().compareTo(b.ts()));
      all.addAll(raw);
      statistics.add(silo, hours(raw));
    }
    ReportStatistics.AllSilos a = statistics.all();
    BigDecimal sum = all.stream().map(Reading::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    assertEquals(all.size(), a.readings());
    assertEquals(sum.divide(BigDecimal.valueOf(all.size()), 2, RoundingMode.HALF_UP), a.average());
    assertEquals(0, a.min().compareTo(all.stream().map(Reading::value).min(BigDecimal::compareTo).orElseThrow()));
    assertEquals(0, a.max().compareTo(all.stream().map(Reading::value).max(BigDecimal::compareTo).orElseThrow()));
    assertEquals(4, a.silos());
    assertEquals(3, a.silosWithData());
    assertEquals(statistics.silos().stream().mapToLong(SiloSummary::hoursWithoutData).sum(), a.hoursWithoutData());
    assertTrue(a.hoursWithoutData() >= 72, "silo 3 has none of its 72 hours");
    String json = statistics.toJson();
    for (String part : List.of("\"allSilos\"", "\"silo\":3", "no data in range")) {
      assertTrue(json.contains(part), json);
    }
  }

  @Test
  void aSpikeADropAndAFlatLineAreFlaggedWithTheirHours() {
    Random random = new Random(3);
    List<SiloHour> hours = new ArrayList<>();
    double level = 50;
    int n = 24 * 30;
    for (int i = 0; i < n; i++) {
      level += random.nextGaussian() * 0.5;
      double value = level;
      if (i == 100) {
        value += 25; // a spike: up and back
      }
      if (i >= 400) {
        value -= 20; // a sudden drop that stays
      }
      Instant hour = FROM.plus(i, ChronoUnit.HOURS);
      if (i >= 600 && i < 612) {
        hours.add(hour(hour, 12, 33.3, 33.3, 33.3)); // the readings stop changing
      } else {
        hours.add(hour(hour, 12, value, value - 1, value + 1));
      }
    }
    SiloAnalysis analysis = SiloStatistics.analyze(1, hours, FROM, FROM.plus(n, ChronoUnit.HOURS),
        FROM.plus(n, ChronoUnit.HOURS), RULES);
    Map<Instant, Anomaly.Kind> found = analysis.anomalies().stream()
        .collect(Collectors.toMap(Anomaly::hour, Anomaly::kind, (x, y) -> x, TreeMap::new));
    assertEquals(Anomaly.Kind.SPIKE, found.get(FROM.plus(100, ChronoUnit.HOURS)), found.toString());
    assertEquals(Anomaly.Kind.DROP, found.get(FROM.plus(400, ChronoUnit.HOURS)), found.toString());
    assertEquals(Anomaly.Kind.FLAT, found.get(FROM.plus(600, ChronoUnit.HOURS)), found.toString());
    // Nothing else: the way back from the spike is part of it, and the flat line's edges are the flat line's.
    assertTrue(found.keySet().stream().allMatch(h -> h.equals(FROM.plus(100, ChronoUnit.HOURS))
        || h.equals(FROM.plus(400, ChronoUnit.HOURS)) || h.equals(FROM.plus(600, ChronoUnit.HOURS))
        || h.equals(FROM.plus(612, ChronoUnit.HOURS))), found.toString());
    Anomaly flat = analysis.anomalies().stream().filter(a -> a.kind() == Anomaly.Kind.FLAT).findFirst().orElseThrow();
    assertEquals(12, flat.hours());
    assertTrue(flat.reason().contains("33.3") && flat.reason().contains("12 hours"), flat.reason());
    for (int i = 600; i < 612; i++) {
      assertEquals("flat", analysis.flag(FROM.plus(i, ChronoUnit.HOURS)));
    }
    assertEquals("spike", analysis.flag(FROM.plus(100, ChronoUnit.HOURS)));
    assertNull(analysis.flag(FROM.plus(101, ChronoUnit.HOURS)));
    assertEquals(analysis.anomalies().size(), analysis.summary().anomalies());
  }

  @Test
  void smoothRandomWalksRaiseNoFlagAtTheDefaultThreshold() {
    int flagged = 0;
    for (int seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      List<SiloHour> hours = new ArrayList<>();
      double level = random.nextDouble() * 100;
      double step = 0.05 + random.nextDouble() * 3;
      int n = 24 * 30;
      for (int i = 0; i < n; i++) {
        level += random.nextGaussian() * step;
        hours.add(hour(FROM.plus(i, ChronoUnit.HOURS), 1 + random.nextInt(60), level, level - step, level + step));
      }
      Instant end = FROM.plus(n, ChronoUnit.HOURS);
      flagged += SiloStatistics.analyze(1, hours, FROM, end, end, RULES).anomalies().size();
    }
    assertEquals(0, flagged, "anomalies over 200 random walks of 30 days");
  }

  @Test
  void theTrendIsTheSlopeOfTheLastSevenDaysAndGivesDaysToEmptyOrFull() {
    List<SiloHour> falling = new ArrayList<>();
    List<SiloHour> rising = new ArrayList<>();
    int n = 24 * 20;
    for (int i = 0; i < n; i++) {
      Instant hour = FROM.plus(i, ChronoUnit.HOURS);
      double days = i / 24.0;
      // the first 13 days move the other way: only the last 7 count
      double down = i < 24 * 13 ? 10 + days : 23 - 2 * (days - 13);
      falling.add(hour(hour, 4, down, down, down + 0.5));
      double up = 40 + 1.5 * days;
      rising.add(hour(hour, 4, up, up, up));
    }
    Instant end = FROM.plus(n, ChronoUnit.HOURS);
    Trend fall = SiloStatistics.analyze(1, falling, FROM, end, end, RULES).summary().trend();
    assertEquals(-2.0, fall.slopePerDay(), 1e-9);
    double lastLevel = 23 - 2 * ((n - 1) / 24.0 - 13);
    assertEquals(lastLevel / 2.0, fall.daysToEmpty(), 1e-9);
    assertNull(fall.daysToFull());
    Trend rise = SiloStatistics.analyze(1, rising, FROM, end, end, RULES).summary().trend();
    assertEquals(1.5, rise.slopePerDay(), 1e-9);
    assertEquals((100 - (40 + 1.5 * (n - 1) / 24.0)) / 1.5, rise.daysToFull(), 1e-9);
    assertNull(rise.daysToEmpty());
    assertNull(SiloStatistics.analyze(1, falling.subList(0, 3), FROM, end, end, RULES).summary().trend(),
        "no hours in the last 7 days");
  }

  // ---- the oracle: plain loops over the raw readings

  private static void assertMatchesOracle(SiloAnalysis analysis, List<Reading> raw, Instant end, Instant cutoff) {
    SiloSummary s = analysis.summary();
    Instant cutoffHourEnd = ceilHour(cutoff);
    Instant countedEnd = cutoffHourEnd.isBefore(end) ? cutoffHourEnd : end;
    long rangeHours = Duration.between(FROM, countedEnd).toHours();
    TreeSet<Instant> hoursWithData = new TreeSet<>();
    raw.forEach(r -> hoursWithData.add(r.ts().truncatedTo(ChronoUnit.HOURS)));
    assertEquals(raw.size(), s.readings());
    assertEquals(hoursWithData.size(), s.hoursWithData());
    assertEquals(rangeHours - hoursWithData.size(), s.hoursWithoutData());
    List<Instant> missing = new ArrayList<>();
    for (Instant h = FROM; h.isBefore(countedEnd); h = h.plus(1, ChronoUnit.HOURS)) {
      if (!hoursWithData.contains(h)) {
        missing.add(h);
      }
    }
    List<Instant> gapHours = new ArrayList<>();
    for (Gap g : analysis.gaps()) {
      for (Instant h = g.from(); h.isBefore(g.to()); h = h.plus(1, ChronoUnit.HOURS)) {
        gapHours.add(h);
      }
    }
    assertEquals(missing, gapHours);
    if (raw.isEmpty()) {
      assertNull(s.average());
      assertEquals("no data in range", s.status());
      assertTrue(s.stale());
      return;
    }
    BigDecimal sum = raw.stream().map(Reading::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    assertEquals(sum.divide(BigDecimal.valueOf(raw.size()), 2, RoundingMode.HALF_UP), s.average());
    BigDecimal min = raw.stream().map(Reading::value).min(BigDecimal::compareTo).orElseThrow();
    BigDecimal max = raw.stream().map(Reading::value).max(BigDecimal::compareTo).orElseThrow();
    assertEquals(0, s.min().compareTo(min));
    assertEquals(0, s.max().compareTo(max));
    assertEquals(raw.stream().filter(r -> r.value().compareTo(min) == 0)
        .map(r -> r.ts().truncatedTo(ChronoUnit.HOURS)).min(Instant::compareTo).orElseThrow(), s.minHour());
    assertEquals(raw.stream().filter(r -> r.value().compareTo(max) == 0)
        .map(r -> r.ts().truncatedTo(ChronoUnit.HOURS)).min(Instant::compareTo).orElseThrow(), s.maxHour());
    assertEquals(hoursWithData.first(), s.firstHour());
    assertEquals(hoursWithData.last(), s.lastHour());
    Instant asOf = cutoff.isBefore(end) ? cutoff : end;
    Instant newest = raw.stream().map(Reading::ts).max(Instant::compareTo).orElseThrow();
    // stale when even the end of the newest reading's hour is older than the setting
    boolean stale = !newest.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS).plus(RULES.staleAfter())
        .isAfter(asOf);
    assertEquals(stale, s.stale());
  }

  private static Instant ceilHour(Instant t) {
    Instant floor = t.truncatedTo(ChronoUnit.HOURS);
    return floor.equals(t) ? t : floor.plus(1, ChronoUnit.HOURS);
  }

  private static Reading reading(Instant ts, Random random) {
    return new Reading(ts, BigDecimal.valueOf(random.nextDouble() * 300 - 100).setScale(2, RoundingMode.HALF_UP));
  }

  /** The readings per hour as the aggregates hold them: exact sum, count, rounded min and max. */
  private static List<SiloHour> hours(List<Reading> raw) {
    TreeMap<Instant, List<BigDecimal>> byHour = new TreeMap<>();
    raw.forEach(r -> byHour.computeIfAbsent(r.ts().truncatedTo(ChronoUnit.HOURS), h -> new ArrayList<>())
        .add(r.value()));
    List<SiloHour> hours = new ArrayList<>();
    byHour.forEach((h, values) -> hours.add(new SiloHour(h, values.stream().reduce(BigDecimal.ZERO, BigDecimal::add),
        values.size(), values.stream().min(BigDecimal::compareTo).orElseThrow().setScale(2, RoundingMode.HALF_UP),
        values.stream().max(BigDecimal::compareTo).orElseThrow().setScale(2, RoundingMode.HALF_UP), 0, false)));
    return hours;
  }

  private static SiloHour hour(Instant hour, int count, double average, double min, double max) {
    return new SiloHour(hour, BigDecimal.valueOf(average).multiply(BigDecimal.valueOf(count)), count,
        BigDecimal.valueOf(min).setScale(2, RoundingMode.HALF_UP), BigDecimal.valueOf(max).setScale(2,
        RoundingMode.HALF_UP), 0, false);
  }
}
