package io.siloreports.report.workbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.testing.LocalSpark;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * The workbook as LibreOffice opens it (Debian's headless Calc, through {@code tools/render-report}): it converts
 * to PDF without complaint, the charts are drawn (their titles are in the PDF's text and their coloured lines on the
 * pages), and the statistics and anomalies are on the pages. The rendered pages stay in {@code target/render/}.
 */
class WorkbookInLibreOfficeIT {
  private static final Instant FROM = Instant.parse("2026-05-01T00:00:00Z");
  private static final int DAYS = 10;

  @Test
  void libreOfficeOpensTheWorkbookAndDrawsItsCharts() throws Exception {
    assumeTrue(onPath("soffice") && onPath("pdftoppm"),
        "LibreOffice (libreoffice-calc-nogui) and poppler-utils are not installed: .ci/run installs them");
    Instant to = FROM.plus(DAYS, ChronoUnit.DAYS);
    List<Row> rows = new ArrayList<>();
    Random random = new Random(5);
    for (int silo = 1; silo <= 3; silo++) {
      double level = 40 + 15 * silo;
      for (int h = 0; h < DAYS * 24; h++) {
        level += random.nextGaussian() * 0.4 - (silo == 3 ? 0.15 : 0);
        double avg = level + (silo == 2 && h == 100 ? 30 : 0); // a spike
        if (silo == 2 && h >= 150 && h < 162) {
          continue; // twelve hours without readings
        }
        rows.add(row(silo, FROM.plus(h, ChronoUnit.HOURS), avg, 12));
      }
    }
    Path out = Path.of("target", "render").toAbsolutePath();
    Files.createDirectories(out);
    Path workbook = out.resolve("silo_data_report.xlsx");
    ReportHeader header = new ReportHeader("render-check", List.of(1, 2, 3), FROM, to, to, to, to, 0L);
    new SxssfWorkbookWriter().write(header,
        LocalSpark.get().createDataFrame(rows, HourlyAggregates.FINAL).repartition(2), List.of(1, 2, 3), workbook);

    Process render = new ProcessBuilder("bash", "tools/render-report", workbook.toString(), out.toString(), "100")
        .redirectErrorStream(true).start();
    String said = new String(render.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(render.waitFor(5, TimeUnit.MINUTES), "rendering took over 5 minutes");
    assertEquals(0, render.exitValue(), said);

    Path pdf = out.resolve("silo_data_report.pdf");
    Process text = new ProcessBuilder("pdftotext", "-layout", pdf.toString(), "-").start();
    String pages = new String(text.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    text.waitFor();
    for (String expected : List.of("all silos", "Hourly average per silo", "Silo 1: hourly average, min and max",
        "Silo 3: hourly average", "spike", "hours without data", "render-check")) {
      assertTrue(pages.contains(expected), "the PDF shows '" + expected + "'; LibreOffice said: " + said);
    }
    // The first page is the Summary with its chart: its lines are the only coloured pixels there.
    BufferedImage summary = ImageIO.read(out.resolve("silo_data_report-page-01.png").toFile());
    assertTrue(colouredPixels(summary) > 200, "the Summary chart's lines are drawn: " + colouredPixels(summary));
  }

  private static long colouredPixels(BufferedImage image) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xff;
        int g = (rgb >> 8) & 0xff;
        int b = rgb & 0xff;
        if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 80) {
          n++;
        }
      }
    }
    return n;
  }

  private static Row row(int silo, Instant hour, double avg, long count) {
    BigDecimal a = BigDecimal.valueOf(avg).setScale(2, RoundingMode.HALF_UP);
    return RowFactory.create(silo, Timestamp.from(hour), a, a.subtract(BigDecimal.ONE), a.add(BigDecimal.ONE),
        a.multiply(BigDecimal.valueOf(count)), count, 0L, null);
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
