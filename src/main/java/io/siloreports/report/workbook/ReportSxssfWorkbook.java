package io.siloreports.report.workbook;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xssf.streaming.GZIPSheetDataWriter;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.poi.xssf.streaming.SheetDataWriter;

/**
 * An {@link SXSSFWorkbook} (compressed temp files) with three changes a report needs:
 *
 * <ul>
 *   <li>{@link #finishSheet} closes a finished sheet's temp file writer. SXSSF keeps every sheet's gzip
 *       stream open until {@link #write}: ~256 KB of native zlib memory and a file descriptor per sheet,
 *       so 1,000 sheets would hold ~256 MB outside the heap.
 *   <li>{@link #finishSheet} sets the sheet's {@code <dimension ref>} explicitly. SXSSF derives it from the
 *       rows still in memory; once a sheet's rows are all flushed it finds none and leaves {@code A1}, and
 *       readers that trust the dimension (openpyxl read-only) then see an empty sheet.
 *   <li>Whole numbers are written as {@code <v>42</v>} like Excel does, not {@code <v>42.0</v>} as
 *       {@link SheetDataWriter} does ({@code Double.toString}), so counts read back as integers in
 *       readers that type values by their text (openpyxl).
 * </ul>
 */
final class ReportSxssfWorkbook extends SXSSFWorkbook {
  private final Map<String, SheetDataWriter> openWriters = new HashMap<>();
  private SheetDataWriter lastCreatedWriter;

  ReportSxssfWorkbook(int rowWindow) {
    super(rowWindow);
    setCompressTempFiles(true);
    // We set each dimension ourselves; SXSSF's derived one would overwrite ours at write time.
    setShouldCalculateSheetDimensions(false);
  }

  @Override
  protected SheetDataWriter createSheetDataWriter() throws IOException {
    lastCreatedWriter = new WholeNumberSheetDataWriter();
    return lastCreatedWriter;
  }

  @Override
  public SXSSFSheet createSheet(String sheetName) {
    // SXSSFSheet's constructor asks us for its writer, so the last one created belongs to this sheet.
    SXSSFSheet sheet = super.createSheet(sheetName);
    openWriters.put(sheet.getSheetName(), lastCreatedWriter);
    return sheet;
  }

  /**
   * Flushes a sheet that gets no more rows, records its used range and releases its temp file writer.
   * The sheet must not be written to afterwards.
   */
  void finishSheet(SXSSFSheet sheet, CellRangeAddress usedRange) throws IOException {
    getXSSFWorkbook().getSheet(sheet.getSheetName()).setDimensionOverride(usedRange);
    sheet.flushRows(0);
    SheetDataWriter writer = openWriters.remove(sheet.getSheetName());
    if (writer != null) {
      // Closing twice is harmless: SXSSF closes it again (a no-op) before reading the temp file back.
      writer.close();
    }
  }

  /** Gzip temp file writer that writes whole-number values without a fraction. */
  private static final class WholeNumberSheetDataWriter extends GZIPSheetDataWriter {
    /** Doubles of this magnitude or less are integral exactly when rint(v) == v, and fit a long. */
    private static final double MAX_EXACT_WHOLE = 9.007199254740992E15; // 2^53

    private int rowIndex;

    WholeNumberSheetDataWriter() throws IOException {
      super(); // inline strings: no shared strings table held in memory
    }

    @Override
    public void writeRow(int rownum, SXSSFRow row) throws IOException {
      rowIndex = rownum; // the superclass keeps its own copy private
      super.writeRow(rownum, row);
    }

    @Override
    public void writeCell(int columnIndex, Cell cell) throws IOException {
      if (cell == null || cell.getCellType() != CellType.NUMERIC) {
        super.writeCell(columnIndex, cell);
        return;
      }
      double value = cell.getNumericCellValue();
      if (Math.abs(value) > MAX_EXACT_WHOLE || Math.rint(value) != value) {
        super.writeCell(columnIndex, cell);
        return;
      }
      // The same markup as SheetDataWriter writes for a numeric cell, with the value as a long.
      _out.write("<c r=\"");
      _out.write(new CellReference(rowIndex, columnIndex).formatAsString());
      _out.write('"');
      int style = cell.getCellStyle().getIndex() & 0xffff;
      if (style != 0) {
        _out.write(" s=\"");
        _out.write(Integer.toString(style));
        _out.write('"');
      }
      _out.write(" t=\"n\"><v>");
      _out.write(Long.toString((long) value));
      _out.write("</v></c>");
    }
  }
}
