package io.siloreports.report.workbook;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.zip.ParallelScatterZipCreator;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.poi.openxml4j.util.ZipEntrySource;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.util.CellRangeAddress;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xssf.streaming.GZIPSheetDataWriter;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;
import org.apache.poi.xssf.streaming.SheetDataWriter;
import org.apache.poi.xssf.usermodel.XSSFChartSheet;
import org.apache.poi.xssf.usermodel.XSSFSheet;

/**
 * An {@link SXSSFWorkbook} (gzip temp files) with the changes a large report needs:
 *
 * <ul>
 *   <li>{@link #finishSheet} closes a finished sheet's temp file writer. SXSSF keeps every sheet's gzip
 *       stream open until {@link #write}: zlib's deflate state (~256 KB outside the heap) and a file
 *       descriptor per sheet, so 1,000 sheets would hold ~256 MB of native memory.
 *   <li>{@link #finishSheet} sets the sheet's {@code <dimension ref>} explicitly. SXSSF derives it from the
 *       rows still in memory; once a sheet's rows are all flushed it finds none and leaves {@code A1}, and
 *       readers that trust the dimension (openpyxl read-only) then see an empty sheet.
 *   <li>Whole numbers are written as {@code <v>42</v>} like Excel does, not {@code <v>42.0</v>} as
 *       {@link SheetDataWriter} does ({@code Double.toString}), so counts read back as integers in
 *       readers that type values by their text (openpyxl).
 *   <li>Numeric cells are written with one call to the temp file writer instead of ~10, and temp files
 *       are deflated at the fastest level: together that halved the time to fill a sheet.
 *   <li>{@link #write} compresses the parts on every core ({@link #injectData}): SXSSF deflates the whole
 *       workbook on one thread, which for a large report took as long as writing all its rows.
 * </ul>
 */
final class ReportSxssfWorkbook extends SXSSFWorkbook {
  private final Map<String, SheetDataWriter> openWriters = new HashMap<>();
  private final Map<String, SXSSFSheet> sheetsByName = new HashMap<>();
  private SheetDataWriter lastCreatedWriter;

  ReportSxssfWorkbook(int rowWindow) {
    super(rowWindow);
    setCompressTempFiles(true);
    // We set each dimension ourselves; SXSSF's derived one would overwrite ours at write time.
    setShouldCalculateSheetDimensions(false);
  }

  @Override
  protected SheetDataWriter createSheetDataWriter() throws IOException {
    lastCreatedWriter = new ReportSheetDataWriter();
    return lastCreatedWriter;
  }

  @Override
  public SXSSFSheet createSheet(String sheetName) {
    // SXSSFSheet's constructor asks us for its writer, so the last one created belongs to this sheet.
    SXSSFSheet sheet = super.createSheet(sheetName);
    openWriters.put(sheet.getSheetName(), lastCreatedWriter);
    sheetsByName.put(sheet.getSheetName(), sheet);
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

  /**
   * SXSSF's assembly of the final zip, with the compression spread over the cores: every part is deflated by a
   * thread of its own into a scatter file (commons-compress's {@link ParallelScatterZipCreator}), and the compressed
   * parts are then copied into the output as they are. A sheet part is the template's XML around the rows SXSSF
   * kept in its temp file, streamed, so no sheet is ever held in memory. Entries keep their names; their order in
   * the zip may differ from the template's, which Office Open XML allows.
   */
  @Override
  protected void injectData(ZipEntrySource source, OutputStream out) throws IOException {
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "workbook-deflate");
      t.setDaemon(true);
      return t;
    });
    ParallelScatterZipCreator zip = new ParallelScatterZipCreator(pool);
    try {
      Enumeration<? extends ZipArchiveEntry> entries = source.getEntries();
      while (entries.hasMoreElements()) {
        ZipArchiveEntry in = entries.nextElement();
        byte[] template;
        try (InputStream is = source.getInputStream(in)) {
          template = is.readAllBytes();
        }
        XSSFSheet xSheet = getSheetFromZipEntryName(in.getName());
        SXSSFSheet sheet = xSheet == null || xSheet instanceof XSSFChartSheet ? null
            : sheetsByName.get(xSheet.getSheetName());
        ZipArchiveEntry entry = new ZipArchiveEntry(in.getName());
        entry.setMethod(ZipArchiveEntry.DEFLATED);
        if (in.getTime() >= 0) {
          entry.setTime(in.getTime());
        }
        zip.addArchiveEntry(entry, sheet == null
            ? () -> new ByteArrayInputStream(template)
            : () -> worksheet(template, sheet));
      }
      // Not createArchiveOutputStream: POI's zip64 stream for Zip64Mode.Always knows nothing of raw entries. The
      // scattered entries come with their sizes, so zip64 records are written only where a size needs them.
      ZipArchiveOutputStream zos = new ZipArchiveOutputStream(out);
      zos.setUseZip64(org.apache.commons.compress.archivers.zip.Zip64Mode.AsNeeded);
      zip.writeTo(zos);
      zos.finish();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while compressing the workbook", e);
    } catch (ExecutionException e) {
      throw new IOException("compressing the workbook failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
      source.close();
    }
  }

  /**
   * A sheet's XML: the template up to its empty {@code <sheetData/>}, the rows from the temp file, the rest of the
   * template (what SXSSF's own injection writes).
   */
  private static InputStream worksheet(byte[] template, SXSSFSheet sheet) {
    String xml = new String(template, StandardCharsets.UTF_8);
    int at = xml.indexOf("<sheetData/>");
    if (at < 0) {
      throw new IllegalStateException("sheet " + sheet.getSheetName() + ": no empty <sheetData/> in its template");
    }
    try {
      return new SequenceInputStream(java.util.Collections.enumeration(java.util.List.of(
          new ByteArrayInputStream((xml.substring(0, at) + "<sheetData>").getBytes(StandardCharsets.UTF_8)),
          sheet.getWorksheetXMLInputStream(),
          new ByteArrayInputStream(("</sheetData>" + xml.substring(at + "<sheetData/>".length()))
              .getBytes(StandardCharsets.UTF_8)))));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the rows of sheet " + sheet.getSheetName(), e);
    }
  }

  /**
   * Gzip temp file writer for numeric cells: whole numbers without a fraction, and each numeric cell's
   * markup handed to the (synchronized) buffered writer in one call instead of ~10: those small writes
   * were half of the time spent writing a sheet.
   */
  private static final class ReportSheetDataWriter extends GZIPSheetDataWriter {
    /** Doubles of this magnitude or less are integral exactly when rint(v) == v, and fit a long. */
    private static final double MAX_EXACT_WHOLE = 9.007199254740992E15; // 2^53

    private final StringBuilder cellXml = new StringBuilder(64);
    private char[] chars = new char[64];
    private int rowIndex;

    ReportSheetDataWriter() throws IOException {
      super(); // inline strings: no shared strings table held in memory
    }

    @Override
    protected OutputStream decorateOutputStream(FileOutputStream fos) throws IOException {
      // Temp files are read back once: the fastest deflate level, not the default 6.
      return new GZIPOutputStream(fos, 1 << 16) {
        {
          def.setLevel(Deflater.BEST_SPEED);
        }
      };
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
      // The markup SheetDataWriter writes for a numeric cell: <c r="B7" s="3" t="n"><v>1.5</v></c>
      StringBuilder xml = cellXml;
      xml.setLength(0);
      xml.append("<c r=\"");
      if (columnIndex < 26) {
        xml.append((char) ('A' + columnIndex));
      } else {
        xml.append(CellReference.convertNumToColString(columnIndex));
      }
      xml.append(rowIndex + 1).append('"');
      int style = cell.getCellStyle().getIndex() & 0xffff;
      if (style != 0) {
        xml.append(" s=\"").append(style).append('"');
      }
      xml.append(" t=\"n\"><v>");
      double value = cell.getNumericCellValue();
      if (Math.abs(value) <= MAX_EXACT_WHOLE && Math.rint(value) == value) {
        xml.append((long) value);
      } else {
        xml.append(Double.toString(value));
      }
      xml.append("</v></c>");
      int length = xml.length();
      if (chars.length < length) {
        chars = new char[length * 2];
      }
      xml.getChars(0, length, chars, 0);
      _out.write(chars, 0, length);
    }
  }
}
