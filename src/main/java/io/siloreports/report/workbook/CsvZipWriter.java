package io.siloreports.report.workbook;

import io.siloreports.report.statistics.Anomaly;
import io.siloreports.report.statistics.Gap;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloAnalysis;
import io.siloreports.report.statistics.SiloSummary;
import io.siloreports.report.statistics.StatisticsSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report as a zip of CSV files (UTF-8, RFC 4180, one header line each): {@code silo-<id>.csv} per silo with the
 * silo sheet's columns, {@code summary.csv} with the summary sheet's facts and tables (the statistics included), and
 * {@code anomalies.csv} and {@code gaps.csv} with the sheets of those names. The numbers are the
 * workbook's: the same rows, rounded the same way (2 decimals, HALF_UP, written as plain decimals), hours and times
 * in UTC as {@code yyyy-MM-dd HH:mm}. Rows stream from Spark one partition at a time ({@link RowsInSheetOrder}) and
 * are held one silo at a time, so memory does not grow with the report. CSV has no row limit: one file per silo.
 */
public final class CsvZipWriter implements WorkbookWriter {
  private static final Logger log = LoggerFactory.getLogger(CsvZipWriter.class);
  private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  /** The file of a silo's rows in the zip. */
  public static String siloFile(int siloId) {
    return "silo-" + siloId + ".csv";
  }

  public static final String SUMMARY_FILE = "summary.csv";
  public static final String ANOMALIES_FILE = "anomalies.csv";
  public static final String GAPS_FILE = "gaps.csv";

  private final StatisticsSettings settings;

  public CsvZipWriter(StatisticsSettings settings) {
    this.settings = java.util.Objects.requireNonNull(settings, "settings");
  }

  /** The default statistics settings (tests). */
  public CsvZipWriter() {
    this(StatisticsSettings.DEFAULTS);
  }

  @Override
  public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws IOException {
    SiloGroups.positions(silos);
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    Path partial = SxssfWorkbookWriter.partialFileFor(destination);
    // Anomalies and gaps come silo by silo, their files go into the zip after the silos' files.
    Path anomaliesPart = SxssfWorkbookWriter.partialFileFor(destination.resolveSibling("anomalies.csv"));
    Path gapsPart = SxssfWorkbookWriter.partialFileFor(destination.resolveSibling("gaps.csv"));
    long started = System.nanoTime();
    try {
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      List<ReportLayout.SiloSheets> files = new ArrayList<>();
      ReportLayout.Revisions revisions = new ReportLayout.Revisions();
      ReportStatistics statistics = new ReportStatistics(header.from(), header.to(), header.cutoff(), settings);
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16);
          ZipOutputStream zip = new ZipOutputStream(out);
          Writer csv = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
          Writer anomalies = Files.newBufferedWriter(anomaliesPart, StandardCharsets.UTF_8);
          Writer gaps = Files.newBufferedWriter(gapsPart, StandardCharsets.UTF_8)) {
        line(anomalies, ReportLayout.ANOMALY_HEADER.toArray(String[]::new));
        line(gaps, ReportLayout.GAP_HEADER.toArray(String[]::new));
        SiloGroups.forEach(rows, silos, (siloId, siloRows) -> {
          SiloAnalysis analysis = statistics.add(siloId, SiloGroups.hours(siloRows));
          csv.flush();
          zip.putNextEntry(new ZipEntry(siloFile(siloId)));
          line(csv, ReportLayout.SILO_HEADER.toArray(String[]::new));
          for (FinalHourlyRow row : siloRows) {
            String flag = analysis.flag(row.hourStart());
            line(csv, HOUR.format(row.hourStart()), plain(row.avgValue()), plain(row.minValue()),
                plain(row.maxValue()), plain(row.sumValue()), Long.toString(row.recordCount()),
                Long.toString(row.lateCount()), row.revisedAt() == null ? "" : TIME.format(row.revisedAt()),
                flag == null ? "" : flag);
            revisions.add(row);
          }
          csv.flush();
          rowsPerSilo.put(siloId, (long) siloRows.size());
          files.add(new ReportLayout.SiloSheets(siloId, List.of(siloFile(siloId)), siloRows.size(),
              siloRows.isEmpty() ? null : siloRows.get(0).hourStart(),
              siloRows.isEmpty() ? null : siloRows.get(siloRows.size() - 1).hourStart()));
          for (Anomaly a : analysis.anomalies()) {
            line(anomalies, texts(ReportLayout.anomalyRow(a)));
          }
          for (Gap g : analysis.gaps()) {
            line(gaps, texts(ReportLayout.gapRow(g)));
          }
        });
        long total = rowsPerSilo.values().stream().mapToLong(Long::longValue).sum();
        zip.putNextEntry(new ZipEntry(SUMMARY_FILE));
        line(csv, "fact", "value");
        for (ReportLayout.Fact f : ReportLayout.facts(header, silos, total, revisions, statistics)) {
          line(csv, f.label(), text(f.value()));
        }
        line(csv);
        List<String> tableHeader = new ArrayList<>(ReportLayout.SUMMARY_TABLE_HEADER);
        tableHeader.set(1, "file");
        line(csv, tableHeader.toArray(String[]::new));
        List<SiloSummary> summaries = statistics.silos();
        for (int i = 0; i < files.size(); i++) {
          line(csv, texts(ReportLayout.summaryRow(files.get(i), summaries.get(i))));
        }
        line(csv, texts(ReportLayout.allSilosRow(statistics.all(), total)));
        if (revisions.hours() > 0) {
          line(csv);
          line(csv, ReportLayout.REVISED_TABLE_HEADER.toArray(String[]::new));
          for (FinalHourlyRow r : revisions.listed()) {
            line(csv, Integer.toString(r.siloId()), HOUR.format(r.hourStart()), Long.toString(r.lateCount()),
                r.revisedAt() == null ? "" : TIME.format(r.revisedAt()));
          }
        }
        csv.flush();
        zip.closeEntry();
        anomalies.flush();
        gaps.flush();
        zip.putNextEntry(new ZipEntry(ANOMALIES_FILE));
        Files.copy(anomaliesPart, zip);
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(GAPS_FILE));
        Files.copy(gapsPart, zip);
        zip.closeEntry();
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, files.size() + 3, Files.size(destination), statistics);
      log.info("Wrote CSV report {} for job {}: {} rows in {} files, {} bytes, in {} ms", destination, header.jobId(),
          stats.totalRows(), stats.sheets(), stats.bytes(), (System.nanoTime() - started) / 1_000_000);
      return stats;
    } finally {
      Files.deleteIfExists(partial);
      Files.deleteIfExists(anomaliesPart);
      Files.deleteIfExists(gapsPart);
    }
  }

  /** Cells as CSV fields: numbers plain, hours and times in UTC, blanks empty. */
  private static String[] texts(List<?> cells) {
    String[] out = new String[cells.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = cells.get(i);
      out[i] = v == null ? "" : v instanceof Instant t ? HOUR.format(t)
          : v instanceof BigDecimal d ? d.toPlainString() : v.toString();
    }
    return out;
  }

  private static String plain(BigDecimal v) {
    return v == null ? "" : v.toPlainString();
  }

  private static String text(Object v) {
    if (v == null) {
      return "";
    }
    return v instanceof Instant i ? TIME.format(i) : v.toString();
  }

  private static void line(Writer w, String... fields) throws IOException {
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        w.write(',');
      }
      String f = fields[i];
      if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
        w.write('"');
        w.write(f.replace("\"", "\"\""));
        w.write('"');
      } else {
        w.write(f);
      }
    }
    w.write("\r\n");
  }
}
