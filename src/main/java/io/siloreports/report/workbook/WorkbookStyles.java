package io.siloreports.report.workbook;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.ss.usermodel.DataFormat;
import org.apache.poi.ss.usermodel.FillPatternType;
import org.apache.poi.ss.usermodel.Font;
import org.apache.poi.ss.usermodel.HorizontalAlignment;
import org.apache.poi.ss.usermodel.IndexedColors;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;

/**
 * How a report workbook looks: its cell styles, made once per workbook and shared by every cell (a workbook holds
 * at most 64,000 styles), the one way a value becomes a cell, and the column widths and print setup of a sheet.
 */
final class WorkbookStyles {
  final CellStyle header;
  /** Numeric columns are right-aligned, so their headings are too. */
  final CellStyle numberHeader;
  final CellStyle hour;
  final CellStyle instant;
  final CellStyle decimal;
  final CellStyle count;
  final CellStyle flag;
  /** Ids read as labels: left-aligned, no thousands separator. */
  final CellStyle id;
  final CellStyle flaggedDecimal;

  WorkbookStyles(SXSSFWorkbook workbook) {
    DataFormat formats = workbook.createDataFormat();
    Font bold = workbook.createFont();
    bold.setBold(true);
    header = workbook.createCellStyle();
    header.setFont(bold);
    numberHeader = workbook.createCellStyle();
    numberHeader.setFont(bold);
    numberHeader.setAlignment(HorizontalAlignment.RIGHT);
    hour = style(workbook, formats, SxssfWorkbookWriter.HOUR_FORMAT);
    instant = style(workbook, formats, SxssfWorkbookWriter.INSTANT_FORMAT);
    decimal = style(workbook, formats, SxssfWorkbookWriter.DECIMAL_FORMAT);
    count = style(workbook, formats, SxssfWorkbookWriter.COUNT_FORMAT);
    id = workbook.createCellStyle();
    id.setAlignment(HorizontalAlignment.LEFT);
    flag = workbook.createCellStyle();
    flag.setFont(bold);
    highlight(flag);
    flaggedDecimal = style(workbook, formats, SxssfWorkbookWriter.DECIMAL_FORMAT);
    highlight(flaggedDecimal);
  }

  private static CellStyle style(SXSSFWorkbook workbook, DataFormat formats, String format) {
    CellStyle style = workbook.createCellStyle();
    style.setDataFormat(formats.getFormat(format));
    return style;
  }

  private static void highlight(CellStyle style) {
    style.setFillForegroundColor(IndexedColors.LIGHT_ORANGE.getIndex());
    style.setFillPattern(FillPatternType.SOLID_FOREGROUND);
  }

  /** Sets each column's width, given in characters. */
  static void columnWidths(SXSSFSheet sheet, int[] widths) {
    for (int c = 0; c < widths.length; c++) {
      sheet.setColumnWidth(c, widths[c] * 256);
    }
  }

  /** Printed (or exported to PDF) landscape and one page wide, so a silo sheet's chart is beside its first rows. */
  static void printOnePageWide(SXSSFSheet printed) {
    printed.setFitToPage(true);
    printed.setAutobreaks(true);
    printed.getPrintSetup().setLandscape(true);
    printed.getPrintSetup().setFitWidth((short) 1);
    printed.getPrintSetup().setFitHeight((short) 0);
  }

  /** One bold heading per title from column 0. */
  void headings(SXSSFRow row, List<String> titles) {
    for (int c = 0; c < titles.size(); c++) {
      var cell = row.createCell(c);
      cell.setCellValue(titles.get(c));
      cell.setCellStyle(header);
    }
  }

  /** One cell per value from column 0 (see {@link #value}). */
  void cells(SXSSFRow row, List<?> values, CellStyle dateStyle) {
    for (int c = 0; c < values.size(); c++) {
      value(row, c, values.get(c), dateStyle);
    }
  }

  /**
   * A String, Integer (an id: no separator), Long, BigDecimal or Instant value as a text, number or date cell;
   * null leaves the cell out.
   */
  void value(SXSSFRow row, int column, Object value, CellStyle dateStyle) {
    if (value == null) {
      return;
    }
    var cell = row.createCell(column);
    if (value instanceof String text) {
      cell.setCellValue(text);
    } else if (value instanceof Integer number) {
      cell.setCellValue(number);
      cell.setCellStyle(id);
    } else if (value instanceof Long number) {
      cell.setCellValue(number);
      cell.setCellStyle(count);
    } else if (value instanceof BigDecimal number) {
      cell.setCellValue(number.doubleValue());
      if (number.scale() == 2) {
        cell.setCellStyle(decimal);
      }
    } else if (value instanceof Instant time) {
      cell.setCellValue(LocalDateTime.ofInstant(time, ZoneOffset.UTC));
      cell.setCellStyle(dateStyle);
    } else {
      throw new IllegalArgumentException("no cell type for " + value.getClass().getName());
    }
  }
}
