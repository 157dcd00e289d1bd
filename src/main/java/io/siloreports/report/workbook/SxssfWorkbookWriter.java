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
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.poi.ss.SpreadsheetVersion;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DataFormat;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <p>Longer than most files: the sheet writer is one state machine (silo, part, row) over the streamed rows; split, its
 * state would be shared across classes.
 *
 * Writes a report workbook with Apache POI's streaming {@code SXSSFWorkbook}: rows come to the driver one
 * Spark partition at a time ({@link RowsInSheetOrder}), are handed over one silo at a time ({@link SiloGroups}: the
 * statistics need the silo's hours before its rows are highlighted), and go to gzip temp files through a window of
 * {@value #ROW_WINDOW} rows, so driver memory grows with one silo's hours, not with the report. What grows with the
 * report is small: one summary and one (empty) sheet object per silo, and a chart's few kilobytes per silo.
 *
 * <p>Sheets: Summary first, the silo sheets, then Anomalies and Gaps (filled as the silos come, moved to the end
 * once the last silo sheet exists).
 */
public final class SxssfWorkbookWriter implements WorkbookWriter {
  private static final Logger log = LoggerFactory.getLogger(SxssfWorkbookWriter.class);

  /** Excel's limit: 1,048,576 rows per sheet, header included. */
  public static final int EXCEL_MAX_ROWS_PER_SHEET = SpreadsheetVersion.EXCEL2007.getMaxRows();

  static final int ROW_WINDOW = 100;
  static final long PROGRESS_EVERY_ROWS = 500_000;

  public static final String HOUR_FORMAT = "yyyy-mm-dd hh:mm";
  static final String INSTANT_FORMAT = "yyyy-mm-dd hh:mm:ss";
  static final String DECIMAL_FORMAT = "#,##0.00";
  static final String COUNT_FORMAT = "#,##0";

  private static final int[] SILO_COLUMN_WIDTHS = {18, 14, 14, 14, 18, 10, 8, 20, 10}; // in characters
  static final int SILO_COLUMNS = SILO_COLUMN_WIDTHS.length;
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
    private final SXSSFSheet anomalies;
    private final SXSSFSheet gaps;
    private int anomalyRows = 1;
    private int gapRows = 1;
    private final CellStyle headerStyle;
    private final CellStyle numberHeaderStyle;
    private final CellStyle hourStyle;
    private final CellStyle instantStyle;
    private final CellStyle decimalStyle;
    private final CellStyle countStyle;
    private final CellStyle flagStyle;
    private final CellStyle idStyle;
    private final CellStyle flaggedDecimalStyle;
    private final long started = System.nanoTime();
    private long totalRows;
    private final ReportLayout.Revisions revisions = new ReportLayout.Revisions();

    // The silo being written.
    private int siloId;
    private int part;
    private SXSSFSheet sheet;
    private int nextRowIndex;
    private long siloRows;
    private Instant firstHour;
    private Instant lastHour;
    private List<String> sheetNames;
    private int firstSheetLastRow; // 1-based row of the last data row on the silo's first sheet

    SheetsWriter(ReportSxssfWorkbook workbook, Path destination, ReportStatistics statistics) {
      this.workbook = workbook;
      this.destination = destination;
      this.statistics = statistics;
      this.charts = new ReportCharts(workbook.getXSSFWorkbook());
      // Created first so it is the first sheet; filled last, once the counts are known.
      this.summary = workbook.createSheet(ReportLayout.SUMMARY_SHEET);
      printOnePageWide(summary);
      DataFormat formats = workbook.createDataFormat();
      Font bold = workbook.createFont();
      bold.setBold(true);
      headerStyle = workbook.createCellStyle();
      headerStyle.setFont(bold);
      // Numeric columns are right-aligned, so their headings are too.
      numberHeaderStyle = workbook.createCellStyle();
      numberHeaderStyle.setFont(bold);
      numberHeaderStyle.setAlignment(org.apache.poi.ss.usermodel.HorizontalAlignment.RIGHT);
      hourStyle = style(formats, HOUR_FORMAT);
      instantStyle = style(formats, INSTANT_FORMAT);
      decimalStyle = style(formats, DECIMAL_FORMAT);
      countStyle = style(formats, COUNT_FORMAT);
      // Ids read as labels: left-aligned, no thousands separator.
      idStyle = workbook.createCellStyle();
      idStyle.setAlignment(org.apache.poi.ss.usermodel.HorizontalAlignment.LEFT);
      flagStyle = workbook.createCellStyle();
      flagStyle.setFont(bold);
      highlight(flagStyle);
      flaggedDecimalStyle = style(formats, DECIMAL_FORMAT);
      highlight(flaggedDecimalStyle);
      anomalies = listSheet(ReportLayout.ANOMALIES_SHEET, ReportLayout.ANOMALY_HEADER, ANOMALY_COLUMN_WIDTHS);
      gaps = listSheet(ReportLayout.GAPS_SHEET, ReportLayout.GAP_HEADER, GAP_COLUMN_WIDTHS);
    }

    /** Printed (or exported to PDF) landscape and one page wide, so a silo sheet's chart is beside its first rows. */
    private void printOnePageWide(SXSSFSheet printed) {
      printed.setFitToPage(true);
      printed.setAutobreaks(true);
      printed.getPrintSetup().setLandscape(true);
      printed.getPrintSetup().setFitWidth((short) 1);
      printed.getPrintSetup().setFitHeight((short) 0);
    }

    private void highlight(CellStyle style) {
      style.setFillForegroundColor(IndexedColors.LIGHT_ORANGE.getIndex());
      style.setFillPattern(FillPatternType.SOLID_FOREGROUND);
    }

    private CellStyle style(DataFormat formats, String format) {
      CellStyle style = workbook.createCellStyle();
      style.setDataFormat(formats.getFormat(format));
      return style;
    }

    private SXSSFSheet listSheet(String name, List<String> header, int[] widths) {
      SXSSFSheet list = workbook.createSheet(name);
      for (int c = 0; c < widths.length; c++) {
        list.setColumnWidth(c, widths[c] * 256);
      }
      list.createFreezePane(0, 1);
      SXSSFRow row = list.createRow(0);
      for (int c = 0; c < header.size(); c++) {
        var cell = row.createCell(c);
        cell.setCellValue(header.get(c));
        cell.setCellStyle(headerStyle);
      }
      return list;
    }

    /** Writes one silo's sheets (its statistics first: they decide what is highlighted), anomalies and gaps. */
    ReportLayout.SiloSheets writeSilo(int id, List<FinalHourlyRow> rows) throws IOException {
      SiloAnalysis analysis = statistics.add(id, SiloGroups.hours(rows));
      startSilo(id);
      for (FinalHourlyRow row : rows) {
        append(row, analysis.flag(row.hourStart()));
      }
      if (part == 1) {
        firstSheetLastRow = nextRowIndex;
      }
      ReportLayout.SiloSheets written = finishSilo();
      for (Anomaly a : analysis.anomalies()) {
        cells(anomalies.createRow(anomalyRows++), ReportLayout.anomalyRow(a), hourStyle);
      }
      for (Gap g : analysis.gaps()) {
        cells(gaps.createRow(gapRows++), ReportLayout.gapRow(g), hourStyle);
      }
      return written;
    }

    private void startSilo(int id) {
      siloId = id;
      part = 1;
      siloRows = 0;
      firstHour = null;
      lastHour = null;
      sheetNames = new ArrayList<>(1);
      openSheet();
    }

    private void openSheet() {
      String name = ReportLayout.siloSheetName(siloId, part);
      sheet = workbook.createSheet(name);
      sheetNames.add(name);
      for (int c = 0; c < SILO_COLUMN_WIDTHS.length; c++) {
        sheet.setColumnWidth(c, SILO_COLUMN_WIDTHS[c] * 256);
      }
      sheet.createFreezePane(0, 1);
      printOnePageWide(sheet);
      SXSSFRow headerRow = sheet.createRow(0);
      for (int c = 0; c < ReportLayout.SILO_HEADER.size(); c++) {
        var cell = headerRow.createCell(c);
        cell.setCellValue(ReportLayout.SILO_HEADER.get(c));
        cell.setCellStyle(c == 0 || c == SILO_COLUMNS - 1 ? headerStyle : numberHeaderStyle);
      }
      nextRowIndex = 1;
    }

    private void append(FinalHourlyRow row, String flag) throws IOException {
      if (nextRowIndex == maxRowsPerSheet) {
        if (part == 1) {
          firstSheetLastRow = nextRowIndex;
        }
        finishSheet();
        part++;
        openSheet();
      }
      SXSSFRow excelRow = sheet.createRow(nextRowIndex++);
      var hour = excelRow.createCell(0);
      hour.setCellValue(LocalDateTime.ofInstant(row.hourStart(), ZoneOffset.UTC));
      hour.setCellStyle(hourStyle);
      decimal(excelRow, 1, row.avgValue(), flag == null ? decimalStyle : flaggedDecimalStyle);
      decimal(excelRow, 2, row.minValue(), decimalStyle);
      decimal(excelRow, 3, row.maxValue(), decimalStyle);
      decimal(excelRow, 4, row.sumValue(), decimalStyle);
      var count = excelRow.createCell(5);
      count.setCellValue(row.recordCount());
      count.setCellStyle(countStyle);
      var late = excelRow.createCell(6);
      late.setCellValue(row.lateCount());
      late.setCellStyle(countStyle);
      if (row.revisedAt() != null) {
        var revised = excelRow.createCell(7);
        revised.setCellValue(LocalDateTime.ofInstant(row.revisedAt(), ZoneOffset.UTC));
        revised.setCellStyle(instantStyle);
      }
      if (flag != null) {
        var cell = excelRow.createCell(8);
        cell.setCellValue(flag);
        cell.setCellStyle(flagStyle);
      }
      revisions.add(row);

      if (firstHour == null) {
        firstHour = row.hourStart();
      }
      lastHour = row.hourStart();
      siloRows++;
      totalRows++;
      if (totalRows % PROGRESS_EVERY_ROWS == 0) {
        log.info(
            "Workbook {}: {} rows written, now at silo {} ({} sheets so far), {} s",
            destination.getFileName(), totalRows, siloId, workbook.getNumberOfSheets(), seconds(started));
      }
    }

    private void decimal(SXSSFRow excelRow, int column, java.math.BigDecimal value, CellStyle style) {
      var cell = excelRow.createCell(column);
      cell.setCellStyle(style);
      if (value != null) {
        cell.setCellValue(value.doubleValue());
      }
    }

    private void finishSheet() throws IOException {
      workbook.finishSheet(sheet, new CellRangeAddress(0, nextRowIndex - 1, 0, SILO_COLUMN_WIDTHS.length - 1));
    }

    private ReportLayout.SiloSheets finishSilo() throws IOException {
      finishSheet();
      if (settings.charts() && siloRows > 0) {
        charts.siloChart(workbook.getXSSFWorkbook().getSheet(sheetNames.get(0)), siloId, firstSheetLastRow);
      }
      return new ReportLayout.SiloSheets(siloId, List.copyOf(sheetNames), siloRows, firstHour, lastHour);
    }

    /** Ends the Anomalies and Gaps sheets and moves them behind the silo sheets. */
    void finishListSheets() throws IOException {
      if (anomalyRows == 1) {
        cells(anomalies.createRow(anomalyRows++), List.of("none at this threshold"), hourStyle);
      }
      if (gapRows == 1) {
        cells(gaps.createRow(gapRows++), List.of("none: every silo has a reading in every hour"), hourStyle);
      }
      workbook.finishSheet(anomalies, new CellRangeAddress(0, anomalyRows - 1, 0, ANOMALY_COLUMN_WIDTHS.length - 1));
      workbook.finishSheet(gaps, new CellRangeAddress(0, gapRows - 1, 0, GAP_COLUMN_WIDTHS.length - 1));
      int last = workbook.getNumberOfSheets() - 1;
      workbook.setSheetOrder(ReportLayout.ANOMALIES_SHEET, last);
      workbook.setSheetOrder(ReportLayout.GAPS_SHEET, last);
    }

    void writeSummary(ReportHeader header, List<Integer> silos, List<ReportLayout.SiloSheets> siloSheets)
        throws IOException {
      for (int c = 0; c < SUMMARY_COLUMN_WIDTHS.length; c++) {
        summary.setColumnWidth(c, SUMMARY_COLUMN_WIDTHS[c] * 256);
      }
      int r = 0;
      for (ReportLayout.Fact fact : ReportLayout.facts(header, silos, totalRows, revisions, statistics)) {
        SXSSFRow row = summary.createRow(r++);
        var label = row.createCell(0);
        label.setCellValue(fact.label());
        label.setCellStyle(headerStyle);
        value(row, 1, fact.value(), instantStyle);
      }
      r++; // a blank row before the table
      SXSSFRow tableHeader = summary.createRow(r++);
      for (int c = 0; c < ReportLayout.SUMMARY_TABLE_HEADER.size(); c++) {
        var cell = tableHeader.createCell(c);
        cell.setCellValue(ReportLayout.SUMMARY_TABLE_HEADER.get(c));
        cell.setCellStyle(headerStyle);
      }
      List<SiloSummary> summaries = statistics.silos();
      for (int i = 0; i < siloSheets.size(); i++) {
        cells(summary.createRow(r++), ReportLayout.summaryRow(siloSheets.get(i), summaries.get(i)), hourStyle);
      }
      SXSSFRow all = summary.createRow(r++);
      cells(all, ReportLayout.allSilosRow(statistics.all(), totalRows), hourStyle);
      all.getCell(0).setCellStyle(headerStyle);
      if (revisions.hours() > 0) {
        r++;
        SXSSFRow revisedHeader = summary.createRow(r++);
        for (int c = 0; c < ReportLayout.REVISED_TABLE_HEADER.size(); c++) {
          var cell = revisedHeader.createCell(c);
          cell.setCellValue(ReportLayout.REVISED_TABLE_HEADER.get(c));
          cell.setCellStyle(headerStyle);
        }
        for (FinalHourlyRow revised : revisions.listed()) {
          SXSSFRow row = summary.createRow(r++);
          value(row, 0, revised.siloId(), hourStyle);
          value(row, 1, revised.hourStart(), hourStyle);
          value(row, 2, revised.lateCount(), hourStyle);
          value(row, 3, revised.revisedAt(), instantStyle);
        }
        if (revisions.hours() > revisions.listed().size()) {
          value(summary.createRow(r++), 0, "... and " + (revisions.hours() - revisions.listed().size())
              + " more revised hours (see the late and revised columns of the silo sheets)", hourStyle);
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

    /** One cell per value from column 0 (see {@link #value}). */
    private void cells(SXSSFRow row, List<?> values, CellStyle dateStyle) {
      for (int c = 0; c < values.size(); c++) {
        value(row, c, values.get(c), dateStyle);
      }
    }

    /**
     * A String, Integer (an id: no separator), Long, BigDecimal or Instant value as a text, number or date cell;
     * null leaves the cell out.
     */
    private void value(SXSSFRow row, int column, Object value, CellStyle dateStyle) {
      if (value == null) {
        return;
      }
      var cell = row.createCell(column);
      if (value instanceof String text) {
        cell.setCellValue(text);
      } else if (value instanceof Integer id) {
        cell.setCellValue(id);
        cell.setCellStyle(idStyle);
      } else if (value instanceof Long number) {
        cell.setCellValue(number);
        cell.setCellStyle(countStyle);
      } else if (value instanceof java.math.BigDecimal decimal) {
        cell.setCellValue(decimal.doubleValue());
        if (decimal.scale() == 2) {
          cell.setCellStyle(decimalStyle);
        }
      } else if (value instanceof Instant instant) {
        cell.setCellValue(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
        cell.setCellStyle(dateStyle);
      } else {
        throw new IllegalArgumentException("no cell type for " + value.getClass().getName());
      }
    }
  }
}
