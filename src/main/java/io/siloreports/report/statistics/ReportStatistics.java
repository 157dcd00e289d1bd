package io.siloreports.report.statistics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.model.Times;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The statistics of a whole report, silo after silo in sheet order: each silo's {@link SiloAnalysis} as it comes (so
 * a writer can put its anomalies and gaps on their sheets at once), and the all-silos figures at the end. Holds one
 * summary per silo, not their hours.
 */
public final class ReportStatistics {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Instant from;
  private final Instant end;
  private final Instant asOf;
  private final StatisticsSettings settings;
  private final List<SiloSummary> silos = new ArrayList<>();
  private final ReportFindings findings;
  private final java.util.Map<Integer, BigDecimal[]> averages = new java.util.HashMap<>();
  private long anomalies;
  private long gapHours;

  /**
   * @param from the range's first hour
   * @param to the range's end (exclusive)
   * @param cutoff readings before this are counted: hours after it are not gaps, staleness is measured at it when it
   *     is before {@code to}
   */
  public ReportStatistics(Instant from, Instant to, Instant cutoff, StatisticsSettings settings) {
    java.util.Objects.requireNonNull(from, "from: the statistics need the report's range");
    java.util.Objects.requireNonNull(to, "to: the statistics need the report's range");
    if (cutoff == null) {
      cutoff = to;
    }
    this.from = from;
    Instant cutoffHourEnd = Times.hourCeil(cutoff);
    this.end = cutoffHourEnd.isBefore(to) ? cutoffHourEnd : to;
    this.asOf = cutoff.isBefore(to) ? cutoff : to;
    this.settings = settings;
    this.findings = new ReportFindings(from, this.end);
  }

  public StatisticsSettings settings() {
    return settings;
  }

  /** Analyses the next silo; {@code hours} in hour order. */
  public SiloAnalysis add(int siloId, List<SiloHour> hours) {
    SiloAnalysis analysis = SiloStatistics.analyze(siloId, hours, from, end, asOf, settings);
    silos.add(analysis.summary());
    anomalies += analysis.anomalies().size();
    gapHours += analysis.summary().hoursWithoutData();
    findings.add(analysis);
    if (averages.size() < ReportFindings.MAX_CHARTED_SILOS) {
      averages.put(siloId, findings.averages(hours));
    }
    return analysis;
  }

  public List<SiloSummary> silos() {
    return silos;
  }

  /** The company-wide figures over every silo added so far. */
  public AllSilos all() {
    long readings = 0;
    long hours = 0;
    long late = 0;
    long revised = 0;
    int withData = 0;
    int stale = 0;
    int withAnomalies = 0;
    BigDecimal sum = BigDecimal.ZERO;
    SiloSummary min = null;
    SiloSummary max = null;
    for (SiloSummary s : silos) {
      readings += s.readings();
      hours += s.hoursWithData();
      late += s.lateReadings();
      revised += s.revisedHours();
      sum = sum.add(s.sumExact());
      withData += s.hasData() ? 1 : 0;
      stale += s.stale() ? 1 : 0;
      withAnomalies += s.anomalies() > 0 ? 1 : 0;
      if (s.min() != null && (min == null || s.min().compareTo(min.min()) < 0)) {
        min = s;
      }
      if (s.max() != null && (max == null || s.max().compareTo(max.max()) > 0)) {
        max = s;
      }
    }
    return new AllSilos(silos.size(), withData, readings, hours, gapHours,
        readings == 0 ? null : sum.divide(BigDecimal.valueOf(readings), 2, RoundingMode.HALF_UP),
        min == null ? null : min.min(), min == null ? null : min.siloId(), min == null ? null : min.minHour(),
        max == null ? null : max.max(), max == null ? null : max.siloId(), max == null ? null : max.maxHour(),
        late, revised, stale, anomalies, withAnomalies);
  }

  /** The all-silos row: the same figures as a silo's, over every reading of every silo. */
  public record AllSilos(
      int silos, int silosWithData, long readings, long hoursWithData, long hoursWithoutData, BigDecimal average,
      BigDecimal min, Integer minSilo, Instant minHour, BigDecimal max, Integer maxSilo, Instant maxHour,
      long lateReadings, long revisedHours, int staleSilos, long anomalies, int silosWithAnomalies) {}

  /** The statistics as JSON for the job's detail: the settings, the all-silos figures and one object per silo. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode rule = root.putObject("rules");
    rule.put("anomalyThreshold", settings.anomalyThreshold());
    rule.put("flatHours", settings.flatHours());
    rule.put("staleAfter", settings.staleAfter().toString());
    if (settings.fullLevel() != null) {
      rule.put("fullLevel", settings.fullLevel());
    }
    rule.put("trendDays", SiloStatistics.TREND_DAYS);
    AllSilos a = all();
    ObjectNode all = root.putObject("allSilos");
    all.put("silos", a.silos());
    all.put("silosWithData", a.silosWithData());
    all.put("readings", a.readings());
    all.put("hoursWithData", a.hoursWithData());
    all.put("hoursWithoutData", a.hoursWithoutData());
    all.put("average", a.average());
    all.put("min", a.min());
    putIfNotNull(all, "minSilo", a.minSilo());
    putTime(all, "minHour", a.minHour());
    all.put("max", a.max());
    putIfNotNull(all, "maxSilo", a.maxSilo());
    putTime(all, "maxHour", a.maxHour());
    all.put("lateReadings", a.lateReadings());
    all.put("revisedHours", a.revisedHours());
    all.put("staleSilos", a.staleSilos());
    all.put("anomalies", a.anomalies());
    all.put("silosWithAnomalies", a.silosWithAnomalies());
    ArrayNode list = root.putArray("silos");
    for (SiloSummary s : silos) {
      ObjectNode o = list.addObject();
      o.put("silo", s.siloId());
      o.put("readings", s.readings());
      o.put("hoursWithData", s.hoursWithData());
      o.put("hoursWithoutData", s.hoursWithoutData());
      o.put("average", s.average());
      o.put("min", s.min());
      putTime(o, "minHour", s.minHour());
      o.put("max", s.max());
      putTime(o, "maxHour", s.maxHour());
      putTime(o, "firstHour", s.firstHour());
      putTime(o, "lastHour", s.lastHour());
      o.put("lateReadings", s.lateReadings());
      o.put("revisedHours", s.revisedHours());
      o.put("stale", s.stale());
      o.put("anomalies", s.anomalies());
      if (s.trend() != null) {
        ObjectNode t = o.putObject("trend");
        t.put("slopePerDay", round(s.trend().slopePerDay(), 3));
        t.put("hours", s.trend().hours());
        if (s.trend().daysToEmpty() != null) {
          t.put("daysToEmpty", round(s.trend().daysToEmpty(), 1));
        }
        if (s.trend().daysToFull() != null) {
          t.put("daysToFull", round(s.trend().daysToFull(), 1));
        }
      }
      if (!s.status().isEmpty()) {
        o.put("status", s.status());
      }
      if (averages.containsKey(s.siloId())) {
        ReportFindings.putAverages(o, averages.get(s.siloId()));
      }
    }
    findings.write(root);
    return root.toString();
  }

  /** {@code value} rounded HALF_UP to {@code decimals}, as the sheets show it. */
  public static BigDecimal round(double value, int decimals) {
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP);
  }

  private static void putTime(ObjectNode o, String field, Instant t) {
    if (t != null) {
      o.put(field, t.toString());
    }
  }

  private static void putIfNotNull(ObjectNode o, String field, Integer v) {
    if (v != null) {
      o.put(field, v);
    }
  }
}
