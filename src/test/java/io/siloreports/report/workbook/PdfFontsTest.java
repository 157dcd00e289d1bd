package io.siloreports.report.workbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing a PDF parses no font of the machine and writes no PDFBox font cache ({@link PdfFonts}): with the cache's
 * directory pointed here ({@code pdfbox.fontcache}, where PDFBox's system font scan writes {@code .pdfbox.cache}), the
 * directory stays empty. Seen failing without the bundled font mapper (run alone: a scan earlier in the same JVM
 * would have written its cache elsewhere).
 */
class PdfFontsTest {
  @TempDir Path dir;

  @Test
  void aPdfIsWrittenWithoutScanningTheMachinesFonts() throws Exception {
    Path cacheDir = Files.createDirectories(dir.resolve("font-cache"));
    String before = System.getProperty("pdfbox.fontcache");
    System.setProperty("pdfbox.fontcache", cacheDir.toString());
    try {
      Instant from = Instant.parse("2026-03-01T00:00:00Z");
      Instant to = from.plus(Duration.ofHours(2));
      ReportHeader header = new ReportHeader("fonts", List.of(1), from, to, to, to, to, 0L);
      var row = new FinalHourlyRow(1, from, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE,
          java.math.BigDecimal.ONE, 1, 0, null);
      WorkbookStats stats = new PdfReportWriter().write(header, List.of(row).iterator(), List.of(1),
          dir.resolve("r.pdf"));
      assertEquals(1, stats.totalRows());
      assertTrue(Files.size(dir.resolve("r.pdf")) > 1000);
      try (var files = Files.list(cacheDir)) {
        assertEquals(List.of(), files.toList(), "no font cache written: no system font scan");
      }
    } finally {
      if (before == null) {
        System.clearProperty("pdfbox.fontcache");
      } else {
        System.setProperty("pdfbox.fontcache", before);
      }
    }
  }
}
