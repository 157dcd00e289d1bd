package io.siloreports.report.workbook;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;

/**
 * One silo's sheets, written a row at a time: {@code Silo <id>}, continued on {@code Silo <id> (2)}, ... once a sheet
 * holds its limit of rows (Excel's 1,048,576, header included), each sheet finished as the next one opens so that its
 * temp file writer is closed and its dimension set ({@link ReportSxssfWorkbook#finishSheet}).
 */
final class SiloSheetWriter {
  private static final int[] COLUMN_WIDTHS = {18, 14, 14, 14, 18, 10, 8, 20, 10}; // in characters
  static final int COLUMNS = COLUMN_WIDTHS.length;

  private final ReportSxssfWorkbook workbook;
  private final WorkbookStyles styles;
  private final int siloId;
  private final int maxRowsPerSheet;
  private final List<String> sheetNames = new ArrayList<>(1);
  private SXSSFSheet sheet;
  private int nextRowIndex;
  private long rows;
  private Instant firstHour;
  private Instant lastHour;
  private int firstSheetLastRow; // 1-based row of the last data row on the first sheet, once that sheet is full

  /** Opens the silo's first sheet, so a silo without rows still has one (its header only). */
  SiloSheetWriter(ReportSxssfWorkbook workbook, WorkbookStyles styles, int siloId, int maxRowsPerSheet) {
    this.workbook = workbook;
    this.styles = styles;
    this.siloId = siloId;
    this.maxRowsPerSheet = maxRowsPerSheet;
    openSheet();
  }

  private void openSheet() {
    String name = ReportLayout.siloSheetName(siloId, sheetNames.size() + 1);
    sheet = workbook.createSheet(name);
    sheetNames.add(name);
    WorkbookStyles.columnWidths(sheet, COLUMN_WIDTHS);
    sheet.createFreezePane(0, 1);
    WorkbookStyles.printOnePageWide(sheet);
    SXSSFRow headerRow = sheet.createRow(0);
    for (int c = 0; c < ReportLayout.SILO_HEADER.size(); c++) {
      var cell = headerRow.createCell(c);
      cell.setCellValue(ReportLayout.SILO_HEADER.get(c));
      cell.setCellStyle(c == 0 || c == COLUMNS - 1 ? styles.header : styles.numberHeader);
    }
    nextRowIndex = 1;
  }

  /** Appends the silo's next hour; {@code flag} (an anomaly's kind, or null) highlights its average. */
  void append(FinalHourlyRow row, String flag) throws IOException {
    if (nextRowIndex == maxRowsPerSheet) {
      if (sheetNames.size() == 1) {
        firstSheetLastRow = nextRowIndex;
      }
      finishSheet();
      openSheet();
    }
    SXSSFRow excelRow = sheet.createRow(nextRowIndex++);
    var hour = excelRow.createCell(0);
    hour.setCellValue(LocalDateTime.ofInstant(row.hourStart(), ZoneOffset.UTC));
    hour.setCellStyle(styles.hour);
    decimal(excelRow, 1, row.avgValue(), flag == null ? styles.decimal : styles.flaggedDecimal);
    decimal(excelRow, 2, row.minValue(), styles.decimal);
    decimal(excelRow, 3, row.maxValue(), styles.decimal);
    decimal(excelRow, 4, row.sumValue(), styles.decimal);
    var count = excelRow.createCell(5);
    count.setCellValue(row.recordCount());
    count.setCellStyle(styles.count);
    var late = excelRow.createCell(6);
    late.setCellValue(row.lateCount());
    late.setCellStyle(styles.count);
    if (row.revisedAt() != null) {
      var revised = excelRow.createCell(7);
      revised.setCellValue(LocalDateTime.ofInstant(row.revisedAt(), ZoneOffset.UTC));
      revised.setCellStyle(styles.instant);
    }
    if (flag != null) {
      var cell = excelRow.createCell(8);
      cell.setCellValue(flag);
      cell.setCellStyle(styles.flag);
    }
    if (firstHour == null) {
      firstHour = row.hourStart();
    }
    lastHour = row.hourStart();
    rows++;
  }

  private static void decimal(SXSSFRow excelRow, int column, BigDecimal value, CellStyle style) {
    var cell = excelRow.createCell(column);
    cell.setCellStyle(style);
    if (value != null) {
      cell.setCellValue(value.doubleValue());
    }
  }

  private void finishSheet() throws IOException {
    workbook.finishSheet(sheet, new CellRangeAddress(0, nextRowIndex - 1, 0, COLUMNS - 1));
  }

  /** Finishes the last sheet; what the Summary lists about the silo's sheets. */
  ReportLayout.SiloSheets finish() throws IOException {
    if (sheetNames.size() == 1) {
      firstSheetLastRow = nextRowIndex;
    }
    finishSheet();
    return new ReportLayout.SiloSheets(siloId, List.copyOf(sheetNames), rows, firstHour, lastHour);
  }

  /** The 1-based row of the last data row on the first sheet (the silo's chart draws that sheet), once finished. */
  int firstSheetLastRow() {
    return firstSheetLastRow;
  }
}
