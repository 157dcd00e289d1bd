package io.siloreports.report.workbook;

import io.siloreports.report.statistics.Anomaly;
import io.siloreports.report.statistics.Gap;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloAnalysis;
import io.siloreports.report.statistics.SiloSummary;
import io.siloreports.report.statistics.StatisticsSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pdfbox.io.IOUtils;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report as a PDF (A4 landscape): the Summary (facts, the per-silo table, the all-silos row, the revised hours),
 * a chart of each silo's hourly average drawn as vector lines, then the anomalies and the gaps. The numbers are the
 * workbook's, from the same {@link ReportLayout} cells. A large report gives a bounded document: the first
 * {@link #TABLE_SILOS} silos in the table, the first {@link #CHART_SILOS} charted, the first {@link #LISTED_ROWS}
 * anomalies, gaps and revised hours listed, and a line saying what was left out (the all-silos row and the facts
 * always cover every silo; the xlsx and csv formats hold everything). Rows stream one silo at a time; what is kept
 * is bounded by those limits, and PDFBox keeps the pages' streams in a temporary file, not the heap.
 */
public final class PdfReportWriter implements WorkbookWriter {
  private static final Logger log = LoggerFactory.getLogger(PdfReportWriter.class);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** Silos listed in the per-silo table; the all-silos row covers the rest. */
  public static final int TABLE_SILOS = 200;
  /** Silos charted (six to a page). */
  public static final int CHART_SILOS = 48;
  /** Anomalies, gaps and revised hours listed, each. */
  public static final int LISTED_ROWS = 500;
  /** Points per chart: hours are averaged into this many buckets across the range. */
  static final int CHART_POINTS = 400;

  /** The {@link ReportLayout#SUMMARY_TABLE_HEADER} columns the page has room for, by index, and their titles. */
  private static final int[] TABLE_COLUMNS = {0, 2, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 18};
  private static final List<String> TABLE_TITLES = List.of("silo", "rows", "readings", "hours w/o data", "average",
      "min", "max", "late", "revised h", "anomalies", "trend/day", "days to empty", "status");
  private static final float[] TABLE_X = {0, 50, 100, 160, 225, 285, 345, 405, 445, 495, 545, 600, 660};
  private static final float[] ANOMALY_X = {0, 40, 115, 160, 190, 245, 295, 330};
  private static final float[] GAP_X = {0, 50, 150, 270};
  private static final float[] REVISED_X = {0, 50, 150, 230};
  private static final float[][] PALETTE = {
    {0.12f, 0.47f, 0.71f}, {0.84f, 0.15f, 0.16f}, {0.17f, 0.63f, 0.17f}, {1f, 0.5f, 0.05f}, {0.58f, 0.4f, 0.74f},
    {0.55f, 0.34f, 0.29f}};

  private final StatisticsSettings settings;

  public PdfReportWriter(StatisticsSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The default statistics settings (tests). */
  public PdfReportWriter() {
    this(StatisticsSettings.DEFAULTS);
  }

  /** One charted silo: its hourly averages averaged into {@link #CHART_POINTS} buckets (NaN: no data). */
  private record Series(int siloId, double[] points) {}

  @Override
  public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws IOException {
    SiloGroups.positions(silos);
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    Path partial = SxssfWorkbookWriter.partialFileFor(destination);
    long started = System.nanoTime();
    try {
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      List<ReportLayout.SiloSheets> listed = new ArrayList<>();
      List<Series> charts = new ArrayList<>();
      List<Anomaly> anomalies = new ArrayList<>();
      List<Gap> gaps = new ArrayList<>();
      long[] gapCount = {0};
      ReportLayout.Revisions revisions = new ReportLayout.Revisions();
      ReportStatistics statistics = new ReportStatistics(header.from(), header.to(), header.cutoff(), settings);
      SiloGroups.forEach(rows, silos, (siloId, siloRows) -> {
        SiloAnalysis analysis = statistics.add(siloId, SiloGroups.hours(siloRows));
        siloRows.forEach(revisions::add);
        rowsPerSilo.put(siloId, (long) siloRows.size());
        if (listed.size() < TABLE_SILOS) {
          listed.add(new ReportLayout.SiloSheets(siloId, List.of(), siloRows.size(),
              siloRows.isEmpty() ? null : siloRows.get(0).hourStart(),
              siloRows.isEmpty() ? null : siloRows.get(siloRows.size() - 1).hourStart()));
        }
        if (charts.size() < CHART_SILOS) {
          charts.add(new Series(siloId, buckets(header, siloRows)));
        }
        analysis.anomalies().stream().limit(LISTED_ROWS - anomalies.size()).forEach(anomalies::add);
        analysis.gaps().stream().limit(LISTED_ROWS - gaps.size()).forEach(gaps::add);
        gapCount[0] += analysis.gaps().size();
      });
      long total = rowsPerSilo.values().stream().mapToLong(Long::longValue).sum();
      int pageCount;
      try (PDDocument document = new PDDocument(IOUtils.createTempFileOnlyStreamCache());
          PdfPages pages = new PdfPages(document)) {
        summary(pages, header, silos, total, revisions, statistics, listed);
        charts(pages, charts, header, silos.size());
        anomaliesAndGaps(pages, statistics.all(), anomalies, gaps, gapCount[0]);
        pages.close();
        pageCount = document.getNumberOfPages();
        try (OutputStream out = Files.newOutputStream(partial)) {
          document.save(out);
        }
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, pageCount, Files.size(destination), statistics);
      log.info("Wrote PDF report {} for job {}: {} rows of {} silos on {} pages, {} bytes, in {} ms", destination,
          header.jobId(), stats.totalRows(), silos.size(), pageCount, stats.bytes(), (System.nanoTime() - started) / 1_000_000);
      return stats;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static void summary(PdfPages pages, ReportHeader header, List<Integer> silos, long total,
      ReportLayout.Revisions revisions, ReportStatistics statistics, List<ReportLayout.SiloSheets> listed)
      throws IOException {
    pages.title("Silo report " + header.jobId() + ": " + ReportLayout.SUMMARY_SHEET);
    for (ReportLayout.Fact f : ReportLayout.facts(header, silos, total, revisions, statistics)) {
      pages.line(f.label() + ": " + (f.value() instanceof Instant i ? TIME.format(i) : Objects.toString(f.value(), "")));
    }
    pages.gap();
    pages.row(TABLE_X, TABLE_TITLES, true);
    List<SiloSummary> summaries = statistics.silos();
    for (int i = 0; i < listed.size(); i++) {
      pages.row(TABLE_X, columns(ReportLayout.summaryRow(listed.get(i), summaries.get(i))), false);
    }
    pages.row(TABLE_X, columns(ReportLayout.allSilosRow(statistics.all(), total)), true);
    if (silos.size() > listed.size()) {
      pages.line("The table lists the first " + listed.size() + " of " + silos.size()
          + " silos; the all-silos row covers every silo, the xlsx and csv formats list each one.");
    }
    if (revisions.hours() > 0) {
      pages.title("Hours revised after they were final");
      pages.row(REVISED_X, ReportLayout.REVISED_TABLE_HEADER, true);
      List<FinalHourlyRow> shown = revisions.listed().subList(0, (int) Math.min(LISTED_ROWS, revisions.listed().size()));
      for (FinalHourlyRow r : shown) {
        pages.row(REVISED_X, List.of(Integer.toString(r.siloId()), HOUR.format(r.hourStart()),
            Long.toString(r.lateCount()), r.revisedAt() == null ? "" : TIME.format(r.revisedAt())), false);
      }
      more(pages, shown.size(), revisions.hours(), "revised hours");
    }
  }

  /** Six charts to a page (3 by 2): axes in grey, the hourly average as one coloured line per silo. */
  private static void charts(PdfPages pages, List<Series> charts, ReportHeader header, int silos) throws IOException {
    float width = (PdfPages.PAGE.getWidth() - 2 * PdfPages.MARGIN) / 3;
    float height = (PdfPages.PAGE.getHeight() - 2 * PdfPages.MARGIN - 30) / 2;
    PDPageContentStream page = null;
    for (int i = 0; i < charts.size(); i++) {
      if (i % 6 == 0) {
        page = pages.newPage();
        PdfPages.text(page, PdfPages.MARGIN, PdfPages.PAGE.getHeight() - PdfPages.MARGIN - 12, 13,
            "Hourly average per silo, " + HOUR.format(header.from()) + " to " + HOUR.format(header.to()) + " UTC"
                + (silos > charts.size() ? " (the first " + charts.size() + " of " + silos + " silos)" : ""));
      }
      float x = PdfPages.MARGIN + (i % 3) * width;
      float y = PdfPages.MARGIN + (1 - (i % 6) / 3) * height;
      chart(page, charts.get(i), x + 10, y + 18, width - 28, height - 40, PALETTE[i % PALETTE.length]);
    }
  }

  private static void chart(PDPageContentStream page, Series series, float x, float y, float w, float h,
      float[] colour) throws IOException {
    double min = Arrays.stream(series.points()).filter(v -> !Double.isNaN(v)).min().orElse(0);
    double max = Arrays.stream(series.points()).filter(v -> !Double.isNaN(v)).max().orElse(1);
    if (max - min < 1e-9) {
      max = min + 1;
    }
    PdfPages.text(page, x, y + h + 6, 9, "Silo " + series.siloId() + ": hourly average");
    PdfPages.text(page, x, y - 10, 7, String.format(java.util.Locale.ROOT, "scale %.2f to %.2f", min, max));
    page.setStrokingColor(0.6f, 0.6f, 0.6f);
    page.setLineWidth(0.5f);
    page.addRect(x, y, w, h);
    page.stroke();
    page.setStrokingColor(colour[0], colour[1], colour[2]);
    page.setLineWidth(1.2f);
    boolean drawing = false;
    double[] points = series.points();
    for (int p = 0; p < points.length; p++) {
      if (Double.isNaN(points[p])) {
        drawing = false; // a gap in the data is a gap in the line
        continue;
      }
      float px = x + w * p / (points.length - 1);
      float py = (float) (y + h * (points[p] - min) / (max - min));
      if (drawing) {
        page.lineTo(px, py);
      } else {
        page.moveTo(px, py);
        page.lineTo(px + 0.5f, py); // a lone point still shows
        drawing = true;
      }
    }
    page.stroke();
  }

  private static void anomaliesAndGaps(PdfPages pages, ReportStatistics.AllSilos all, List<Anomaly> anomalies,
      List<Gap> gaps, long gapCount) throws IOException {
    pages.newPage();
    pages.title(ReportLayout.ANOMALIES_SHEET);
    pages.row(ANOMALY_X, ReportLayout.ANOMALY_HEADER, true);
    for (Anomaly a : anomalies) {
      pages.row(ANOMALY_X, columns(ReportLayout.anomalyRow(a)), false);
    }
    more(pages, anomalies.size(), all.anomalies(), "anomalies");
    pages.title(ReportLayout.GAPS_SHEET);
    pages.row(GAP_X, ReportLayout.GAP_HEADER, true);
    for (Gap g : gaps) {
      pages.row(GAP_X, columns(ReportLayout.gapRow(g)), false);
    }
    more(pages, gaps.size(), gapCount, "gaps");
  }

  /** Says how many were left out, or that there were none. */
  private static void more(PdfPages pages, int shown, long total, String what) throws IOException {
    if (total > shown) {
      pages.line("The first " + shown + " of " + total + " " + what
          + " are listed here; the xlsx and csv formats list every one.");
    } else if (shown == 0) {
      pages.line("(none)");
    }
  }

  /** The hourly averages averaged into {@link #CHART_POINTS} equal slices of the report's range. */
  private static double[] buckets(ReportHeader header, List<FinalHourlyRow> rows) {
    double[] sum = new double[CHART_POINTS];
    int[] count = new int[CHART_POINTS];
    long range = Math.max(1, Duration.between(header.from(), header.to()).toSeconds());
    for (FinalHourlyRow r : rows) {
      if (r.avgValue() == null) {
        continue;
      }
      long at = Duration.between(header.from(), r.hourStart()).toSeconds();
      int b = (int) Math.max(0, Math.min(CHART_POINTS - 1, at * CHART_POINTS / range));
      sum[b] += r.avgValue().doubleValue();
      count[b]++;
    }
    double[] out = new double[CHART_POINTS];
    for (int b = 0; b < CHART_POINTS; b++) {
      out[b] = count[b] == 0 ? Double.NaN : sum[b] / count[b];
    }
    return out;
  }

  /** The table's columns of a {@link ReportLayout} row (the whole row when it is no summary row) as text. */
  private static List<String> columns(List<Object> cells) {
    List<String> out = new ArrayList<>();
    if (cells.size() == ReportLayout.SUMMARY_TABLE_HEADER.size()) {
      for (int c : TABLE_COLUMNS) {
        out.add(text(cells.get(c)));
      }
    } else {
      cells.forEach(c -> out.add(text(c)));
    }
    return out;
  }

  private static String text(Object v) {
    return v == null ? "" : v instanceof Instant t ? HOUR.format(t)
        : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
  }
}
