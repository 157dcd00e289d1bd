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
      List.of("hour_start (UTC)", "avg", "min", "max", "sum", "count");

  /** Column titles of the per-silo table on the summary sheet. */
  public static final List<String> SUMMARY_TABLE_HEADER =
      List.of("silo", "sheets", "rows", "first hour (UTC)", "last hour (UTC)");

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

  /** The facts at the top of the summary sheet, in order. */
  public static List<Fact> facts(ReportHeader header, List<Integer> silos, long totalRows) {
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
    return facts;
  }
}
