package io.siloreports.report.workbook;

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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.poi.ss.SpreadsheetVersion;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DataFormat;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <p>Longer than most files: the sheet writer is one state machine (silo, part, row) over the streamed rows; split, its state would be shared across classes.
 *
 * Writes a report workbook with Apache POI's streaming {@code SXSSFWorkbook}: rows come to the driver one
 * Spark partition at a time ({@link RowsInSheetOrder}) and go to gzip temp files through a window of
 * {@value #ROW_WINDOW} rows, so driver memory does not grow with the number of rows. What does grow is
 * small: one summary entry and one (empty) sheet object per sheet.
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

  private static final int[] SILO_COLUMN_WIDTHS = {18, 14, 14, 14, 18, 10, 8, 20}; // in characters
  private static final int[] SUMMARY_COLUMN_WIDTHS = {44, 30, 14, 20, 20};

  private final int maxRowsPerSheet;

  public SxssfWorkbookWriter() {
    this(EXCEL_MAX_ROWS_PER_SHEET);
  }

  /**
   * @param maxRowsPerSheet rows per silo sheet including its header row; a silo with more data rows
   *     continues on {@code Silo <id> (2)}, ... (tests use a tiny limit)
   */
  public SxssfWorkbookWriter(int maxRowsPerSheet) {
    if (maxRowsPerSheet < 2 || maxRowsPerSheet > EXCEL_MAX_ROWS_PER_SHEET) {
      throw new IllegalArgumentException(
          "maxRowsPerSheet must be 2.." + EXCEL_MAX_ROWS_PER_SHEET + " (a header and at least one row), got "
              + maxRowsPerSheet);
    }
    this.maxRowsPerSheet = maxRowsPerSheet;
  }

  @Override
  public WorkbookStats write(ReportHeader header, Dataset<Row> rows, List<Integer> silos, Path target)
      throws IOException {
    Map<Integer, Integer> positionBySilo = positions(silos);
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    // Written next to the target and moved into place, so a reader never sees a half-written workbook.
    Path partial = partialFileFor(destination);
    long started = System.nanoTime();
    log.info(
        "Writing workbook {} for job {}: {} silos, hours {} to {}",
        destination, header.jobId(), silos.size(), header.from(), header.to());
    try {
      List<ReportLayout.SiloSheets> siloSheets;
      int sheets;
      try (ReportSxssfWorkbook workbook = new ReportSxssfWorkbook(ROW_WINDOW)) { // close() deletes temp files
        SheetsWriter sheetsWriter = new SheetsWriter(workbook, destination);
        try (RowsInSheetOrder sorted = RowsInSheetOrder.open(rows, silos, header)) {
          siloSheets = sheetsWriter.writeSilos(sorted, silos, positionBySilo);
        }
        sheetsWriter.writeSummary(header, silos, siloSheets);
        sheets = workbook.getNumberOfSheets();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
          workbook.write(out);
        }
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      siloSheets.forEach(s -> rowsPerSilo.put(s.siloId(), s.rows()));
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, sheets, Files.size(destination));
      log.info(
          "Wrote workbook {} for job {}: {} rows on {} sheets, {} bytes, in {} s",
          destination, header.jobId(), stats.totalRows(), sheets, stats.bytes(), seconds(started));
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

  private static Map<Integer, Integer> positions(List<Integer> silos) {
    Map<Integer, Integer> positionBySilo = new HashMap<>();
    for (int i = 0; i < silos.size(); i++) {
      Integer silo = silos.get(i);
      if (silo == null) {
        throw new IllegalArgumentException("silo list contains null at position " + i);
      }
      if (positionBySilo.put(silo, i) != null) {
        throw new IllegalArgumentException("silo " + silo + " is listed twice; each silo gets one set of sheets");
      }
    }
    return positionBySilo;
  }

  private static long seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000_000L;
  }

  /** One workbook's sheets, written silo after silo in sheet order. */
  private final class SheetsWriter {
    private final ReportSxssfWorkbook workbook;
    private final Path destination;
    private final SXSSFSheet summary;
    private final CellStyle headerStyle;
    private final CellStyle numberHeaderStyle;
    private final CellStyle hourStyle;
    private final CellStyle instantStyle;
    private final CellStyle decimalStyle;
    private final CellStyle countStyle;
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

    SheetsWriter(ReportSxssfWorkbook workbook, Path destination) {
      this.workbook = workbook;
      this.destination = destination;
      // Created first so it is the first sheet; filled last, once the counts are known.
      this.summary = workbook.createSheet(ReportLayout.SUMMARY_SHEET);
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
    }

    private CellStyle style(DataFormat formats, String format) {
      CellStyle style = workbook.createCellStyle();
      style.setDataFormat(formats.getFormat(format));
      return style;
    }

    List<ReportLayout.SiloSheets> writeSilos(
        Iterator<FinalHourlyRow> rows, List<Integer> silos, Map<Integer, Integer> positionBySilo) throws IOException {
      List<ReportLayout.SiloSheets> written = new ArrayList<>(silos.size());
      int nextPosition = 0; // silos before it have their sheets
      boolean writing = false;
      while (rows.hasNext()) {
        FinalHourlyRow row = rows.next();
        if (!writing || row.siloId() != siloId) {
          Integer position = positionBySilo.get(row.siloId());
          if (position == null) {
            throw new IllegalArgumentException(
                "rows contain silo " + row.siloId() + ", which is not among the report's " + silos.size()
                    + " silos: the rows and the silo list disagree");
          }
          if (position < nextPosition) {
            throw new IllegalStateException(
                "rows of silo " + row.siloId() + " came after later silos' sheets: rows are not in sheet order");
          }
          if (writing) {
            written.add(finishSilo());
          }
          for (; nextPosition < position; nextPosition++) { // listed silos without rows: header only
            startSilo(silos.get(nextPosition));
            written.add(finishSilo());
          }
          startSilo(row.siloId());
          nextPosition = position + 1;
          writing = true;
        }
        append(row);
      }
      if (writing) {
        written.add(finishSilo());
      }
      for (; nextPosition < silos.size(); nextPosition++) {
        startSilo(silos.get(nextPosition));
        written.add(finishSilo());
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
      SXSSFRow headerRow = sheet.createRow(0);
      for (int c = 0; c < ReportLayout.SILO_HEADER.size(); c++) {
        var cell = headerRow.createCell(c);
        cell.setCellValue(ReportLayout.SILO_HEADER.get(c));
        cell.setCellStyle(c == 0 ? headerStyle : numberHeaderStyle);
      }
      nextRowIndex = 1;
    }

    private void append(FinalHourlyRow row) throws IOException {
      if (lastHour != null && row.hourStart().isBefore(lastHour)) {
        throw new IllegalStateException(
            "silo " + siloId + ": hour " + row.hourStart() + " came after " + lastHour + ": rows are not in hour order");
      }
      if (nextRowIndex == maxRowsPerSheet) {
        finishSheet();
        part++;
        openSheet();
      }
      SXSSFRow excelRow = sheet.createRow(nextRowIndex++);
      var hour = excelRow.createCell(0);
      hour.setCellValue(LocalDateTime.ofInstant(row.hourStart(), ZoneOffset.UTC));
      hour.setCellStyle(hourStyle);
      decimal(excelRow, 1, row.avgValue());
      decimal(excelRow, 2, row.minValue());
      decimal(excelRow, 3, row.maxValue());
      decimal(excelRow, 4, row.sumValue());
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

    private void decimal(SXSSFRow excelRow, int column, java.math.BigDecimal value) {
      var cell = excelRow.createCell(column);
      cell.setCellStyle(decimalStyle);
      if (value != null) {
        cell.setCellValue(value.doubleValue());
      }
    }

    private void finishSheet() throws IOException {
      workbook.finishSheet(sheet, new CellRangeAddress(0, nextRowIndex - 1, 0, SILO_COLUMN_WIDTHS.length - 1));
    }

    private ReportLayout.SiloSheets finishSilo() throws IOException {
      finishSheet();
      return new ReportLayout.SiloSheets(siloId, List.copyOf(sheetNames), siloRows, firstHour, lastHour);
    }

    void writeSummary(ReportHeader header, List<Integer> silos, List<ReportLayout.SiloSheets> siloSheets)
        throws IOException {
      for (int c = 0; c < SUMMARY_COLUMN_WIDTHS.length; c++) {
        summary.setColumnWidth(c, SUMMARY_COLUMN_WIDTHS[c] * 256);
      }
      int r = 0;
      for (ReportLayout.Fact fact : ReportLayout.facts(header, silos, totalRows, revisions)) {
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
      for (ReportLayout.SiloSheets silo : siloSheets) {
        SXSSFRow row = summary.createRow(r++);
        row.createCell(0).setCellValue(silo.siloId()); // an id: no thousands separator
        value(row, 1, String.join(", ", silo.sheetNames()), hourStyle);
        value(row, 2, silo.rows(), hourStyle);
        value(row, 3, silo.firstHour(), hourStyle);
        value(row, 4, silo.lastHour(), hourStyle);
      }
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
          row.createCell(0).setCellValue(revised.siloId());
          value(row, 1, revised.hourStart(), hourStyle);
          value(row, 2, revised.lateCount(), hourStyle);
          value(row, 3, revised.revisedAt(), instantStyle);
        }
        if (revisions.hours() > revisions.listed().size()) {
          value(summary.createRow(r++), 0, "... and " + (revisions.hours() - revisions.listed().size())
              + " more revised hours (see the late and revised columns of the silo sheets)", hourStyle);
        }
      }
      workbook.finishSheet(summary, new CellRangeAddress(0, r - 1, 0, SUMMARY_COLUMN_WIDTHS.length - 1));
    }

    /** A String, Long or Instant value as a text, number or date cell; null leaves the cell out. */
    private void value(SXSSFRow row, int column, Object value, CellStyle dateStyle) {
      if (value == null) {
        return;
      }
      var cell = row.createCell(column);
      if (value instanceof String text) {
        cell.setCellValue(text);
      } else if (value instanceof Long number) {
        cell.setCellValue(number);
        cell.setCellStyle(countStyle);
      } else if (value instanceof Instant instant) {
        cell.setCellValue(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
        cell.setCellStyle(dateStyle);
      } else {
        throw new IllegalArgumentException("no cell type for " + value.getClass().getName());
      }
    }
  }
}
