package io.siloreports.report.workbook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.fontbox.FontBoxFont;
import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.pdfbox.io.RandomAccessReadBuffer;
import org.apache.pdfbox.pdmodel.font.CIDFontMapping;
import org.apache.pdfbox.pdmodel.font.FontMapper;
import org.apache.pdfbox.pdmodel.font.FontMapping;
import org.apache.pdfbox.pdmodel.font.FontMappers;
import org.apache.pdfbox.pdmodel.font.PDCIDSystemInfo;
import org.apache.pdfbox.pdmodel.font.PDFontDescriptor;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDF's fonts: Helvetica and Helvetica-Bold, two of the Standard 14 that every viewer has, so nothing is embedded;
 * their widths come from the AFM metrics PDFBox bundles. PDFBox also wants a font file per Standard 14 font and by
 * default parses the fonts installed on the machine to find one and writes {@code ~/.pdfbox.cache} (a home a YARN or
 * EMR Serverless container may not have): its outcome depends on the machine, and in bench/pdf/run's 64 MB heap the
 * 2,000-silo report ran out of memory inside that parse. The report only writes text, so PDFBox's own bundled
 * Liberation Sans serves every lookup instead, without a scan or a cache file.
 */
final class PdfFonts {
  static final PDType1Font REGULAR;
  static final PDType1Font BOLD;

  static {
    FontMappers.set(new BundledFontMapper());
    REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
    BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
  }

  private PdfFonts() {}

  /** Answers every font lookup with PDFBox's bundled Liberation Sans (metric-compatible with Helvetica). */
  private static final class BundledFontMapper implements FontMapper {
    private static final String BUNDLED = "/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf";
    private final TrueTypeFont font;

    BundledFontMapper() {
      try (InputStream in = PDType1Font.class.getResourceAsStream(BUNDLED)) {
        if (in == null) {
          throw new IllegalStateException("PDFBox's bundled font " + BUNDLED + " is missing from the classpath");
        }
        font = new TTFParser().parse(new RandomAccessReadBuffer(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read PDFBox's bundled font " + BUNDLED, e);
      }
    }

    @Override
    public FontMapping<TrueTypeFont> getTrueTypeFont(String baseFont, PDFontDescriptor descriptor) {
      return new FontMapping<>(font, false);
    }

    @Override
    public FontMapping<FontBoxFont> getFontBoxFont(String baseFont, PDFontDescriptor descriptor) {
      return new FontMapping<>(font, false);
    }

    @Override
    public CIDFontMapping getCIDFont(String baseFont, PDFontDescriptor descriptor, PDCIDSystemInfo cidSystemInfo) {
      return new CIDFontMapping(null, font, true);
    }
  }
}
