package io.siloreports.report.workbook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** What a report workbook contains, independent of the library that writes it: sheet names, titles, summary facts. */
public final class ReportLayout {
  public static final String SUMMARY_SHEET = "Summary";

  /** Column titles of every silo sheet. */
  public static final List<String> SILO_HEADER =
      List.of("hour_start (UTC)", "avg", "min", "max", "sum", "count", "late", "revised at (UTC)");

  /** Column titles of the per-silo table on the summary sheet. */
  public static final List<String> SUMMARY_TABLE_HEADER =
      List.of("silo", "sheets", "rows", "first hour (UTC)", "last hour (UTC)");

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
  public static List<Fact> facts(ReportHeader header, List<Integer> silos, long totalRows, Revisions revisions) {
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
    return facts;
  }
}
