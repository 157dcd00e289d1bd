package io.siloreports.report.workbook;

import io.siloreports.report.statistics.Anomaly;
import io.siloreports.report.statistics.Gap;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloAnalysis;
import io.siloreports.report.statistics.SiloSummary;
import io.siloreports.report.statistics.StatisticsSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.poi.ss.SpreadsheetVersion;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a report workbook with Apache POI's streaming {@code SXSSFWorkbook}: rows come to the driver one
 * Spark partition at a time ({@link RowsInSheetOrder}), are handed over one silo at a time ({@link SiloGroups}: the
 * statistics need the silo's hours before its rows are highlighted), and go to gzip temp files through a window of
 * {@value #ROW_WINDOW} rows, so driver memory grows with one silo's hours, not with the report. What grows with the
 * report is small: one summary and one (empty) sheet object per silo, and a chart's few kilobytes per silo.
 *
 * <p>Sheets: Summary first, the silo sheets, then Anomalies and Gaps (filled as the silos come, moved to the end
 * once the last silo sheet exists). Each silo's sheets, rolled over at the row limit, are a {@link SiloSheetWriter}'s;
 * every sheet's cells take the workbook's {@link WorkbookStyles}.
 */
public final class SxssfWorkbookWriter implements WorkbookWriter {
  private static final Logger log = LoggerFactory.getLogger(SxssfWorkbookWriter.class);

  /** Excel's limit: 1,048,576 rows per sheet, header included. */
  public static final int EXCEL_MAX_ROWS_PER_SHEET = SpreadsheetVersion.EXCEL2007.getMaxRows();

  static final int ROW_WINDOW = 100;
  static final long PROGRESS_EVERY_ROWS = 500_000;

  // The cells' number formats (WorkbookStyles).
  public static final String HOUR_FORMAT = "yyyy-mm-dd hh:mm";
  static final String INSTANT_FORMAT = "yyyy-mm-dd hh:mm:ss";
  static final String DECIMAL_FORMAT = "#,##0.00";
  static final String COUNT_FORMAT = "#,##0";

  // Column widths in characters.
  private static final int[] SUMMARY_COLUMN_WIDTHS =
      {44, 30, 10, 20, 20, 12, 20, 10, 10, 24, 10, 24, 15, 15, 11, 28, 15, 14, 50};
  private static final int[] ANOMALY_COLUMN_WIDTHS = {10, 18, 8, 8, 12, 12, 8, 90};
  private static final int[] GAP_COLUMN_WIDTHS = {10, 18, 22, 18};

  private final int maxRowsPerSheet;
  private final StatisticsSettings settings;

  /** The default statistics settings and Excel's row limit (tests and benchmarks). */
  public SxssfWorkbookWriter() {
    this(StatisticsSettings.DEFAULTS);
  }

  public SxssfWorkbookWriter(StatisticsSettings settings) {
    this(settings, EXCEL_MAX_ROWS_PER_SHEET);
  }

  /**
   * @param maxRowsPerSheet rows per silo sheet including its header row; a silo with more data rows
   *     continues on {@code Silo <id> (2)}, ... (tests use a tiny limit)
   */
  public SxssfWorkbookWriter(int maxRowsPerSheet) {
    this(StatisticsSettings.DEFAULTS, maxRowsPerSheet);
  }

  public SxssfWorkbookWriter(StatisticsSettings settings, int maxRowsPerSheet) {
    if (maxRowsPerSheet < 2 || maxRowsPerSheet > EXCEL_MAX_ROWS_PER_SHEET) {
      throw new IllegalArgumentException(
          "maxRowsPerSheet must be 2.." + EXCEL_MAX_ROWS_PER_SHEET + " (a header and at least one row), got "
              + maxRowsPerSheet);
    }
    this.maxRowsPerSheet = maxRowsPerSheet;
    this.settings = java.util.Objects.requireNonNull(settings, "settings");
  }

  @Override
  public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws IOException {
    SiloGroups.positions(silos); // a duplicate or null fails before anything is written
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    // Written next to the target and moved into place, so a reader never sees a half-written workbook.
    Path partial = partialFileFor(destination);
    long started = System.nanoTime();
    log.info(
        "Writing workbook {} for job {}: {} silos, hours {} to {}",
        destination, header.jobId(), silos.size(), header.from(), header.to());
    try {
      List<ReportLayout.SiloSheets> siloSheets = new ArrayList<>(silos.size());
      ReportStatistics statistics = new ReportStatistics(header.from(), header.to(), header.cutoff(), settings);
      int sheets;
      try (ReportSxssfWorkbook workbook = new ReportSxssfWorkbook(ROW_WINDOW)) { // close() deletes temp files
        SheetsWriter sheetsWriter = new SheetsWriter(workbook, destination, statistics);
        SiloGroups.forEach(rows, silos, (silo, siloRows) -> siloSheets.add(sheetsWriter.writeSilo(silo, siloRows)));
        sheetsWriter.writeSummary(header, silos, siloSheets);
        sheetsWriter.finishListSheets();
        sheets = workbook.getNumberOfSheets();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
          workbook.write(out);
        }
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      siloSheets.forEach(s -> rowsPerSilo.put(s.siloId(), s.rows()));
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, sheets, Files.size(destination), statistics);
      log.info(
          "Wrote workbook {} for job {}: {} rows on {} sheets, {} anomalies, {} bytes, in {} s",
          destination, header.jobId(), stats.totalRows(), sheets, statistics.all().anomalies(), stats.bytes(),
          seconds(started));
      return stats;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /**
   * A unique hidden name beside {@code destination}. Not {@code Files.createTempFile}: its 0600
   * permissions would carry over to the report.
   */
  public static Path partialFileFor(Path destination) {
    return destination.resolveSibling("." + destination.getFileName() + "." + UUID.randomUUID() + ".partial");
  }

  private static long seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000_000L;
  }

  /** One workbook's sheets, written silo after silo in sheet order. */
  private final class SheetsWriter {
    private final ReportSxssfWorkbook workbook;
    private final Path destination;
    private final ReportStatistics statistics;
    private final ReportCharts charts;
    private final SXSSFSheet summary;
    private final WorkbookStyles styles;
    private final SXSSFSheet anomalies;
    private final SXSSFSheet gaps;
    private int anomalyRows = 1;
    private int gapRows = 1;
    private final long started = System.nanoTime();
    private long totalRows;
    private final ReportLayout.Revisions revisions = new ReportLayout.Revisions();

    SheetsWriter(ReportSxssfWorkbook workbook, Path destination, ReportStatistics statistics) {
      this.workbook = workbook;
      this.destination = destination;
      this.statistics = statistics;
      this.charts = new ReportCharts(workbook.getXSSFWorkbook());
      // Created first so it is the first sheet; filled last, once the counts are known.
      this.summary = workbook.createSheet(ReportLayout.SUMMARY_SHEET);
      WorkbookStyles.printOnePageWide(summary);
      this.styles = new WorkbookStyles(workbook);
      anomalies = listSheet(ReportLayout.ANOMALIES_SHEET, ReportLayout.ANOMALY_HEADER, ANOMALY_COLUMN_WIDTHS);
      gaps = listSheet(ReportLayout.GAPS_SHEET, ReportLayout.GAP_HEADER, GAP_COLUMN_WIDTHS);
    }

    private SXSSFSheet listSheet(String name, List<String> header, int[] widths) {
      SXSSFSheet list = workbook.createSheet(name);
      WorkbookStyles.columnWidths(list, widths);
      list.createFreezePane(0, 1);
      styles.headings(list.createRow(0), header);
      return list;
    }

    /** Writes one silo's sheets (its statistics first: they decide what is highlighted), anomalies and gaps. */
    ReportLayout.SiloSheets writeSilo(int id, List<FinalHourlyRow> rows) throws IOException {
      SiloAnalysis analysis = statistics.add(id, SiloGroups.hours(rows));
      SiloSheetWriter silo = new SiloSheetWriter(workbook, styles, id, maxRowsPerSheet);
      for (FinalHourlyRow row : rows) {
        silo.append(row, analysis.flag(row.hourStart()));
        revisions.add(row);
        totalRows++;
        if (totalRows % PROGRESS_EVERY_ROWS == 0) {
          log.info(
              "Workbook {}: {} rows written, now at silo {} ({} sheets so far), {} s",
              destination.getFileName(), totalRows, id, workbook.getNumberOfSheets(), seconds(started));
        }
      }
      ReportLayout.SiloSheets written = silo.finish();
      if (settings.charts() && written.rows() > 0) {
        charts.siloChart(workbook.getXSSFWorkbook().getSheet(written.sheetNames().get(0)), id,
            silo.firstSheetLastRow());
      }
      for (Anomaly a : analysis.anomalies()) {
        styles.cells(anomalies.createRow(anomalyRows++), ReportLayout.anomalyRow(a), styles.hour);
      }
      for (Gap g : analysis.gaps()) {
        styles.cells(gaps.createRow(gapRows++), ReportLayout.gapRow(g), styles.hour);
      }
      return written;
    }

    /** Ends the Anomalies and Gaps sheets and moves them behind the silo sheets. */
    void finishListSheets() throws IOException {
      if (anomalyRows == 1) {
        styles.cells(anomalies.createRow(anomalyRows++), List.of("none at this threshold"), styles.hour);
      }
      if (gapRows == 1) {
        styles.cells(gaps.createRow(gapRows++), List.of("none: every silo has a reading in every hour"), styles.hour);
      }
      workbook.finishSheet(anomalies, new CellRangeAddress(0, anomalyRows - 1, 0, ANOMALY_COLUMN_WIDTHS.length - 1));
      workbook.finishSheet(gaps, new CellRangeAddress(0, gapRows - 1, 0, GAP_COLUMN_WIDTHS.length - 1));
      int last = workbook.getNumberOfSheets() - 1;
      workbook.setSheetOrder(ReportLayout.ANOMALIES_SHEET, last);
      workbook.setSheetOrder(ReportLayout.GAPS_SHEET, last);
    }

    void writeSummary(ReportHeader header, List<Integer> silos, List<ReportLayout.SiloSheets> siloSheets)
        throws IOException {
      WorkbookStyles.columnWidths(summary, SUMMARY_COLUMN_WIDTHS);
      int r = 0;
      for (ReportLayout.Fact fact : ReportLayout.facts(header, silos, totalRows, revisions, statistics)) {
        SXSSFRow row = summary.createRow(r++);
        var label = row.createCell(0);
        label.setCellValue(fact.label());
        label.setCellStyle(styles.header);
        styles.value(row, 1, fact.value(), styles.instant);
      }
      r++; // a blank row before the table
      styles.headings(summary.createRow(r++), ReportLayout.SUMMARY_TABLE_HEADER);
      List<SiloSummary> summaries = statistics.silos();
      for (int i = 0; i < siloSheets.size(); i++) {
        styles.cells(summary.createRow(r++), ReportLayout.summaryRow(siloSheets.get(i), summaries.get(i)), styles.hour);
      }
      SXSSFRow all = summary.createRow(r++);
      styles.cells(all, ReportLayout.allSilosRow(statistics.all(), totalRows), styles.hour);
      all.getCell(0).setCellStyle(styles.header);
      if (revisions.hours() > 0) {
        r++;
        styles.headings(summary.createRow(r++), ReportLayout.REVISED_TABLE_HEADER);
        for (FinalHourlyRow revised : revisions.listed()) {
          SXSSFRow row = summary.createRow(r++);
          styles.value(row, 0, revised.siloId(), styles.hour);
          styles.value(row, 1, revised.hourStart(), styles.hour);
          styles.value(row, 2, revised.lateCount(), styles.hour);
          styles.value(row, 3, revised.revisedAt(), styles.instant);
        }
        if (revisions.hours() > revisions.listed().size()) {
          styles.value(summary.createRow(r++), 0, "... and " + (revisions.hours() - revisions.listed().size())
              + " more revised hours (see the late and revised columns of the silo sheets)", styles.hour);
        }
      }
      List<ReportCharts.Series> averages = new ArrayList<>();
      if (settings.charts() && siloSheets.size() <= settings.chartMaxSilos()) {
        for (ReportLayout.SiloSheets s : siloSheets) {
          if (s.rows() > 0) {
            int lastRow = (int) Math.min(s.rows(), maxRowsPerSheet - 1) + 1;
            averages.add(new ReportCharts.Series("silo " + s.siloId(), s.sheetNames().get(0), 1, lastRow));
          }
        }
      }
      if (!averages.isEmpty()) {
        charts.summaryChart(workbook.getXSSFWorkbook().getSheet(ReportLayout.SUMMARY_SHEET), r + 1, averages);
      }
      workbook.finishSheet(summary, new CellRangeAddress(0, r - 1, 0, SUMMARY_COLUMN_WIDTHS.length - 1));
    }
  }
}
