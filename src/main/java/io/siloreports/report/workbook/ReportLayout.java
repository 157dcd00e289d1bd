package io.siloreports.report.workbook;

import io.siloreports.report.statistics.Anomaly;
import io.siloreports.report.statistics.Gap;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloStatistics;
import io.siloreports.report.statistics.SiloSummary;
import io.siloreports.report.statistics.StatisticsSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What a report workbook contains, independent of the library that writes it: sheet names, titles, summary facts. */
public final class ReportLayout {
  public static final String SUMMARY_SHEET = "Summary";

  /** Column titles of every silo sheet. */
  public static final List<String> SILO_HEADER =
      List.of("hour_start (UTC)", "avg", "min", "max", "sum", "count", "late", "revised at (UTC)", "anomaly");

  /** Column titles of the per-silo table on the summary sheet (the first five as before statistics). */
  public static final List<String> SUMMARY_TABLE_HEADER =
      List.of("silo", "sheets", "rows", "first hour (UTC)", "last hour (UTC)", "readings", "hours without data",
          "average", "min", "min hour (UTC)", "max", "max hour (UTC)", "late readings", "revised hours", "anomalies",
          "trend per day (last 7 days)", "days to empty", "days to full", "status");

  /** An hour written as text (where a cell holds more than the hour), UTC. */
  private static final java.time.format.DateTimeFormatter HOUR_TEXT =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneOffset.UTC);

  /** The label of the all-silos row under the per-silo table. */
  public static final String ALL_SILOS = "all silos";

  public static final String ANOMALIES_SHEET = "Anomalies";
  public static final String GAPS_SHEET = "Gaps";

  /** Column titles of the Anomalies sheet. */
  public static final List<String> ANOMALY_HEADER =
      List.of("silo", "hour (UTC)", "kind", "hours", "hourly avg", "change", "score", "reason");

  /** Column titles of the Gaps sheet. */
  public static final List<String> GAP_HEADER =
      List.of("silo", "from hour (UTC)", "to hour (UTC, exclusive)", "hours without data");

  /** Column titles of the summary's table of hours revised after they were final. */
  public static final List<String> REVISED_TABLE_HEADER =
      List.of("silo", "revised hour (UTC)", "late readings", "revised at (UTC)");

  /** Up to this many revised hours are listed on the summary sheet; more are only counted. */
  public static final int REVISED_LIST_LIMIT = 1_000;

  /** Up to this many silos are listed by id on the summary sheet; more are only counted. */
  static final int SILO_LIST_LIMIT = 30;

  private ReportLayout() {}

  /** {@code Silo 12} for a silo's first sheet, {@code Silo 12 (2)} for its second, ... */
  public static String siloSheetName(int siloId, int part) {
    return part == 1 ? "Silo " + siloId : "Silo " + siloId + " (" + part + ")";
  }

  /** One line of the summary sheet's facts: a label and a String, Long or Instant value (null: blank). */
  public record Fact(String label, Object value) {}

  /** The sheets a silo got and what is on them. {@code firstHour}/{@code lastHour} are null without rows. */
  public record SiloSheets(int siloId, List<String> sheetNames, long rows, Instant firstHour, Instant lastHour) {}

  /**
   * What the report's rows say about revisions: hours that changed after they were final, and the late readings
   * they include (the first {@link #REVISED_LIST_LIMIT} hours in sheet order are kept for the list).
   */
  public static final class Revisions {
    private final List<FinalHourlyRow> listed = new ArrayList<>();
    private long hours;
    private long lateReadings;

    /** Counts {@code row} if it was revised. */
    public void add(FinalHourlyRow row) {
      if (row.revisedAt() == null && row.lateCount() == 0) {
        return;
      }
      hours++;
      lateReadings += row.lateCount();
      if (listed.size() < REVISED_LIST_LIMIT) {
        listed.add(row);
      }
    }

    public long hours() {
      return hours;
    }

    public long lateReadings() {
      return lateReadings;
    }

    public List<FinalHourlyRow> listed() {
      return listed;
    }
  }

  /** The facts at the top of the summary sheet, in order. */
  public static List<Fact> facts(ReportHeader header, List<Integer> silos, long totalRows, Revisions revisions,
      ReportStatistics statistics) {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("job id", header.jobId()));
    facts.add(new Fact("silos", (long) silos.size()));
    facts.add(
        new Fact(
            "silo ids",
            silos.size() <= SILO_LIST_LIMIT
                ? silos.stream().map(String::valueOf).collect(Collectors.joining(", "))
                : "(" + silos.size() + " silos: see the table below)"));
    facts.add(new Fact("range from (UTC)", header.from()));
    facts.add(new Fact("range to (UTC, exclusive)", header.to()));
    facts.add(new Fact("cut-off (UTC)", header.cutoff()));
    facts.add(new Fact("finalized before (UTC)", header.finalizedBefore()));
    facts.add(new Fact("generated at (UTC)", header.generatedAt()));
    facts.add(new Fact("total rows", totalRows));
    facts.add(new Fact("late readings included", revisions.lateReadings()));
    facts.add(new Fact("hours revised after final", revisions.hours()));
    facts.add(new Fact("too-late readings, not included (whole stream)", header.tooLateReadings()));
    ReportStatistics.AllSilos all = statistics.all();
    StatisticsSettings rules = statistics.settings();
    facts.add(new Fact("silos without data", (long) (all.silos() - all.silosWithData())));
    facts.add(new Fact("hours without data (all silos, see Gaps)", all.hoursWithoutData()));
    facts.add(new Fact("stale silos (no reading for " + rules.staleAfter() + ")", (long) all.staleSilos()));
    facts.add(new Fact("anomalies (see Anomalies)", all.anomalies()));
    facts.add(new Fact("anomaly rule", "hour-to-hour change of the hourly average more than "
        + rules.anomalyThreshold() + " robust standard deviations (median/MAD) from the silo's median change; flat: "
        + rules.flatHours() + "+ hours of one unchanged value"));
    facts.add(new Fact("trend", "least-squares slope of the hourly averages over the last "
        + SiloStatistics.TREND_DAYS + " days of the range; days to empty (0)"
        + (rules.fullLevel() == null ? "" : " or full (" + rules.fullLevel() + ")") + " at that rate"));
    return facts;
  }

  /**
   * The per-silo table's cells for one silo, in {@link #SUMMARY_TABLE_HEADER} order: Integer, Long, BigDecimal,
   * Instant or String values, null for a blank cell.
   */
  public static List<Object> summaryRow(SiloSheets sheets, SiloSummary s) {
    List<Object> cells = new ArrayList<>();
    cells.add(s.siloId());
    cells.add(String.join(", ", sheets.sheetNames()));
    cells.add(sheets.rows());
    cells.add(sheets.firstHour());
    cells.add(sheets.lastHour());
    cells.add(s.readings());
    cells.add(s.hoursWithoutData());
    cells.add(s.average());
    cells.add(s.min());
    cells.add(s.minHour());
    cells.add(s.max());
    cells.add(s.maxHour());
    cells.add(s.lateReadings());
    cells.add(s.revisedHours());
    cells.add((long) s.anomalies());
    cells.add(s.trend() == null ? null : ReportStatistics.round(s.trend().slopePerDay(), 3));
    cells.add(s.trend() == null || s.trend().daysToEmpty() == null ? null
        : ReportStatistics.round(s.trend().daysToEmpty(), 1));
    cells.add(s.trend() == null || s.trend().daysToFull() == null ? null
        : ReportStatistics.round(s.trend().daysToFull(), 1));
    cells.add(s.status().isEmpty() ? null : s.status());
    return cells;
  }

  /** The all-silos row, aligned with {@link #summaryRow}. */
  public static List<Object> allSilosRow(ReportStatistics.AllSilos a, long rows) {
    List<Object> cells = new ArrayList<>();
    cells.add(ALL_SILOS);
    cells.add(a.silos() + " silos, " + a.silosWithData() + " with data");
    cells.add(rows);
    cells.add(null);
    cells.add(null);
    cells.add(a.readings());
    cells.add(a.hoursWithoutData());
    cells.add(a.average());
    cells.add(a.min());
    cells.add(a.minHour() == null ? null : "silo " + a.minSilo() + ", " + HOUR_TEXT.format(a.minHour()));
    cells.add(a.max());
    cells.add(a.maxHour() == null ? null : "silo " + a.maxSilo() + ", " + HOUR_TEXT.format(a.maxHour()));
    cells.add(a.lateReadings());
    cells.add(a.revisedHours());
    cells.add(a.anomalies());
    cells.add(null);
    cells.add(null);
    cells.add(null);
    cells.add(a.staleSilos() == 0 ? null : a.staleSilos() + " stale");
    return cells;
  }

  /** An Anomalies sheet row, in {@link #ANOMALY_HEADER} order. */
  public static List<Object> anomalyRow(Anomaly a) {
    List<Object> cells = new ArrayList<>();
    cells.add(a.siloId());
    cells.add(a.hour());
    cells.add(a.kind().label());
    cells.add((long) a.hours());
    cells.add(a.average());
    cells.add(a.change());
    cells.add(a.kind() == Anomaly.Kind.FLAT ? null : java.math.BigDecimal.valueOf(a.score()));
    cells.add(a.reason());
    return cells;
  }

  /** A Gaps sheet row, in {@link #GAP_HEADER} order. */
  public static List<Object> gapRow(Gap g) {
    return java.util.Arrays.asList(g.siloId(), g.from(), g.to(), g.hours());
  }
}
