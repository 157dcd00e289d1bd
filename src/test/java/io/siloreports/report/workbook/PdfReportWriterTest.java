package io.siloreports.report.workbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.Oracle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PDF report as poppler reads it ({@code pdftotext -layout}, {@code pdftoppm -png}; Debian's poppler-utils,
 * installed by .ci/run): the Summary's per-silo figures and all-silos row equal an independent computation over the
 * readings ({@link Oracle}) and the workbook's Summary sheet; the chart page shows each silo's line in its colour;
 * a large report says what it leaves out.
 */
class PdfReportWriterTest {
  private static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  private static final int HOURS = 96;
  private static final Instant TO = FROM.plus(Duration.ofHours(HOURS));

  @TempDir
  Path dir;

  @Test
  void summaryFiguresEqualTheReadingsAndTheWorkbookAndTheChartIsDrawn() throws Exception {
    requirePoppler();
    List<Oracle.Reading> readings = readings();
    TreeMap<Oracle.HourKey, Oracle.Hour> hourly = Oracle.hourly(readings);
    List<FinalHourlyRow> rows = new ArrayList<>();
    hourly.forEach((k, h) -> rows.add(new FinalHourlyRow(k.siloId(), k.hour(), h.avg2(), h.min2(), h.max2(),
        h.sum2(), h.count, 0, null)));
    List<Integer> silos = List.of(1, 2, 3);
    ReportHeader header = new ReportHeader("pdf-check", silos, FROM, TO, TO, TO, TO, 0L);
    Path pdf = dir.resolve("report.pdf");
    Path xlsx = dir.resolve("report.xlsx");
    WorkbookStats stats = new PdfReportWriter().write(header, rows.iterator(), silos, pdf);
    new SxssfWorkbookWriter().write(header, rows.iterator(), silos, xlsx);
    assertEquals(rows.size(), stats.totalRows());

    String text = run("pdftotext", "-layout", pdf.toString(), "-");
    Map<Integer, Row> workbookRows = workbookSummaryRows(xlsx);
    for (int silo : silos) {
      List<String> want = expectedRow(String.valueOf(silo), readings.stream().filter(r -> r.siloId() == silo).toList(),
          hourly.keySet().stream().filter(k -> k.siloId() == silo).count());
      List<String> line = lineStartingWith(text, want);
      Row sheet = workbookRows.get(silo);
      // rows, readings, hours without data, average, min, max: columns 2, 5, 6, 7, 8, 10 of the Summary sheet
      int[] cells = {2, 5, 6, 7, 8, 10};
      for (int i = 0; i < cells.length; i++) {
        assertEquals(new BigDecimal(want.get(i + 1)).doubleValue(), sheet.getCell(cells[i]).getNumericCellValue(),
            1e-9, "silo " + silo + ": the workbook's " + ReportLayout.SUMMARY_TABLE_HEADER.get(cells[i]));
      }
      assertEquals(want, line.subList(0, want.size()), "silo " + silo + "'s row in the PDF");
    }
    List<String> all = expectedRow("all silos", readings, hourly.size());
    all.set(3, String.valueOf(3L * HOURS - hourly.size())); // hours without data, all silos: the sum of theirs
    lineStartingWith(text, List.of(("all silos " + String.join(" ", all.subList(1, all.size()))).split(" ")));
    for (String expected : List.of("job id: pdf-check", "Hourly average per silo", "Silo 2: hourly average",
        "spike", "Anomalies", "Gaps")) {
      assertTrue(text.contains(expected), "the PDF says '" + expected + "':\n" + text);
    }
    // Silo 2's twelve hours without data are a gap row: silo, from, to (exclusive), hours.
    lineStartingWith(text, List.of("2", "2026-03-03", "12:00", "2026-03-04", "00:00", "12"));

    // Page 2 is the charts: each silo's line in its palette colour (blue, red, green); page 1 has no colour at all.
    assertTrue(run("pdftotext", "-f", "2", "-l", "2", pdf.toString(), "-").contains("Hourly average per silo"));
    run("pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "2", pdf.toString(), dir.resolve("page").toString());
    BufferedImage summary = ImageIO.read(dir.resolve("page-1.png").toFile());
    BufferedImage charts = ImageIO.read(dir.resolve("page-2.png").toFile());
    assertEquals(0, pixelsNear(summary, -1), "the summary page is black on white");
    for (int colour : new int[] {0x1f77b4, 0xd62728, 0x2ca02c}) {
      long n = pixelsNear(charts, colour);
      assertTrue(n > 100, "the chart page has " + n + " pixels of #" + Integer.toHexString(colour) + " (>100)");
    }
  }

  @Test
  void aLargeReportSaysWhatItLeavesOut() throws Exception {
    requirePoppler();
    List<Integer> silos = new ArrayList<>();
    List<FinalHourlyRow> rows = new ArrayList<>();
    for (int silo = 1; silo <= 260; silo++) {
      silos.add(silo);
      for (int h = 0; h < 24; h += 2) { // every other hour: 12 gaps per silo, 3,120 in all
        BigDecimal v = BigDecimal.valueOf(silo * 10 + h, 1);
        rows.add(new FinalHourlyRow(silo, FROM.plus(Duration.ofHours(h)), v, v, v, v, 1, 0, null));
      }
    }
    Instant to = FROM.plus(Duration.ofHours(24));
    Path pdf = dir.resolve("large.pdf");
    new PdfReportWriter().write(new ReportHeader("large", silos, FROM, to, to, to, to, 0L), rows.iterator(), silos, pdf);
    String text = run("pdftotext", pdf.toString(), "-").replaceAll("\\s+", " ");
    for (String expected : List.of("The table lists the first 200 of 260 silos", "(the first 48 of 260 silos)",
        "The first 500 of 3120 gaps are listed here")) {
      assertTrue(text.contains(expected), "the PDF says '" + expected + "'");
    }
    assertTrue(!text.contains("Silo 49: hourly average") && text.contains("Silo 48: hourly average"));
  }

  /** silo, rows, readings, hours without data, average, min, max, from the readings alone. */
  private static List<String> expectedRow(String label, List<Oracle.Reading> readings, long hours) {
    BigDecimal sum = readings.stream().map(Oracle.Reading::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    return new ArrayList<>(List.of(label, String.valueOf(hours), String.valueOf(readings.size()),
        String.valueOf(HOURS - hours),
        sum.divide(BigDecimal.valueOf(readings.size()), 2, RoundingMode.HALF_UP).toPlainString(),
        readings.stream().map(Oracle.Reading::value).min(BigDecimal::compareTo).orElseThrow().toPlainString(),
        readings.stream().map(Oracle.Reading::value).max(BigDecimal::compareTo).orElseThrow().toPlainString()));
  }

  /** Three silos, four days, three readings an hour; silo 2 has a spike at hour 50 and no readings in 60-71. */
  private static List<Oracle.Reading> readings() {
    Random random = new Random(26);
    List<Oracle.Reading> out = new ArrayList<>();
    for (int silo = 1; silo <= 3; silo++) {
      double level = 20 * silo;
      for (int h = 0; h < HOURS; h++) {
        level += random.nextGaussian() * 0.3;
        if (silo == 2 && h >= 60 && h < 72) {
          continue;
        }
        for (int m = 0; m < 3; m++) {
          double v = level + (silo == 2 && h == 50 ? 40 : 0) + random.nextGaussian() * 0.2;
          out.add(new Oracle.Reading(silo, FROM.plus(Duration.ofMinutes(h * 60L + m * 20)),
              BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP)));
        }
      }
    }
    return out;
  }

  private static List<String> lineStartingWith(String text, List<String> tokens) {
    for (String line : text.split("\n")) {
      List<String> got = Arrays.asList(line.trim().split("\\s+"));
      if (got.size() >= tokens.size() && got.subList(0, tokens.size()).equals(tokens)) {
        return got;
      }
    }
    throw new AssertionError("no line of the PDF starts with " + tokens + ":\n" + text);
  }

  private static Map<Integer, Row> workbookSummaryRows(Path xlsx) throws IOException {
    Map<Integer, Row> out = new TreeMap<>();
    try (InputStream in = Files.newInputStream(xlsx); XSSFWorkbook workbook = new XSSFWorkbook(in)) {
      Sheet summary = workbook.getSheet(ReportLayout.SUMMARY_SHEET);
      for (Row row : summary) {
        if (row.getCell(1) != null && row.getCell(1).getCellType() == org.apache.poi.ss.usermodel.CellType.STRING
            && row.getCell(1).getStringCellValue().startsWith("Silo ") && row.getCell(0) != null) {
          out.put((int) row.getCell(0).getNumericCellValue(), row);
        }
      }
    }
    return out;
  }

  /** Pixels within 40 of {@code rgb} per channel; -1: any coloured pixel (channels more than 80 apart). */
  private static long pixelsNear(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        int r = (p >> 16) & 0xff;
        int g = (p >> 8) & 0xff;
        int b = p & 0xff;
        boolean match = rgb < 0 ? Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80
            : Math.abs(r - ((rgb >> 16) & 0xff)) < 40 && Math.abs(g - ((rgb >> 8) & 0xff)) < 40
                && Math.abs(b - (rgb & 0xff)) < 40;
        n += match ? 1 : 0;
      }
    }
    return n;
  }

  private static void requirePoppler() {
    for (String tool : List.of("pdftotext", "pdftoppm")) {
      boolean found = Arrays.stream(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
      assertTrue(found, tool + " is missing: install poppler-utils (apt-get install poppler-utils; .ci/run does)");
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " took over a minute");
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed");
    return out;
  }
}
