package io.siloreports.report.workbook;

import java.io.IOException;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;

/**
 * Lays text lines and tables down A4 landscape pages top to bottom, starting a page when one is full; each page's
 * content stream is closed before the next opens, so PDFBox holds one open page at a time.
 */
final class PdfPages implements AutoCloseable {
  static final PDRectangle PAGE = new PDRectangle(PDRectangle.A4.getHeight(), PDRectangle.A4.getWidth());
  static final float MARGIN = 36;
  static final float TEXT_SIZE = 8;
  static final float LINE = 11;
  private static final PDType1Font REGULAR = PdfFonts.REGULAR;
  private static final PDType1Font BOLD = PdfFonts.BOLD;

  private final PDDocument document;
  private PDPageContentStream content;
  private float y;

  PdfPages(PDDocument document) {
    this.document = document;
  }

  /** Starts a page and returns its content stream (closed by the next page or {@link #close}). */
  PDPageContentStream newPage() throws IOException {
    close();
    PDPage page = new PDPage(PAGE);
    document.addPage(page);
    content = new PDPageContentStream(document, page);
    y = PAGE.getHeight() - MARGIN;
    return content;
  }

  /** A title line, bold and larger. */
  void title(String text) throws IOException {
    room(LINE * 3);
    y -= LINE * 1.6f;
    text(MARGIN, y, BOLD, 13, text);
    y -= LINE * 0.6f;
  }

  /** A line of text, cut to the page's width. */
  void line(String text) throws IOException {
    room(LINE);
    y -= LINE;
    text(MARGIN, y, REGULAR, TEXT_SIZE, fit(text, PAGE.getWidth() - 2 * MARGIN, REGULAR, TEXT_SIZE));
  }

  /** A line of cells at the columns' x offsets (each cut to its column), bold for a header. */
  void row(float[] columns, List<String> cells, boolean header) throws IOException {
    room(LINE);
    y -= LINE;
    PDType1Font font = header ? BOLD : REGULAR;
    for (int i = 0; i < cells.size() && i < columns.length; i++) {
      float right = i + 1 < columns.length ? columns[i + 1] : PAGE.getWidth() - MARGIN;
      String cell = cells.get(i) == null ? "" : cells.get(i);
      text(MARGIN + columns[i], y, font, TEXT_SIZE, fit(cell, right - columns[i] - 4, font, TEXT_SIZE));
    }
  }

  /** Leaves a blank line. */
  void gap() {
    y -= LINE / 2;
  }

  /** Starts a page unless {@code height} still fits on this one. */
  private void room(float height) throws IOException {
    if (content == null || y - height < MARGIN) {
      newPage();
    }
  }

  static void text(PDPageContentStream to, float x, float y, float size, String text) throws IOException {
    to.beginText();
    to.setFont(REGULAR, size);
    to.newLineAtOffset(x, y);
    to.showText(printable(text));
    to.endText();
  }

  private void text(float x, float y, PDType1Font font, float size, String text) throws IOException {
    content.beginText();
    content.setFont(font, size);
    content.newLineAtOffset(x, y);
    content.showText(text);
    content.endText();
  }

  /** {@code text} in the standard fonts' WinAnsi characters, cut with "..." to {@code width} points. */
  private static String fit(String text, float width, PDType1Font font, float size) throws IOException {
    String s = printable(text);
    if (font.getStringWidth(s) / 1000 * size <= width) {
      return s;
    }
    while (!s.isEmpty() && font.getStringWidth(s + "...") / 1000 * size > width) {
      s = s.substring(0, s.length() - 1);
    }
    return s + "...";
  }

  /** The standard 14 fonts encode Latin-1 only: anything else (a silo's reason text with a dash) becomes '?'. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f || c >= 0xa0 && c <= 0xff ? c : '?');
    }
    return out.toString();
  }

  @Override
  public void close() throws IOException {
    if (content != null) {
      content.close();
      content = null;
    }
  }
}
