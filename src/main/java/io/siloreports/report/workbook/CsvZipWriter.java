package io.siloreports.report.workbook;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * silo sheet's columns, and {@code summary.csv} with the summary sheet's facts and tables. The numbers are the
 * workbook's: the same rows, rounded the same way (2 decimals, HALF_UP, written as plain decimals), hours and times
 * in UTC as {@code yyyy-MM-dd HH:mm}. Rows stream from Spark one partition at a time ({@link RowsInSheetOrder}), so
 * memory does not grow with the report. CSV has no row limit: one file per silo.
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

  @Override
  public WorkbookStats write(ReportHeader header, Dataset<Row> rows, List<Integer> silos, Path target)
      throws IOException {
    Map<Integer, Integer> position = new HashMap<>();
    for (int i = 0; i < silos.size(); i++) {
      if (position.put(silos.get(i), i) != null) {
        throw new IllegalArgumentException("silo " + silos.get(i) + " is listed twice; each silo gets one file");
      }
    }
    Path destination = target.toAbsolutePath();
    Files.createDirectories(destination.getParent());
    Path partial = SxssfWorkbookWriter.partialFileFor(destination);
    long started = System.nanoTime();
    try {
      Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
      List<ReportLayout.SiloSheets> files = new ArrayList<>();
      ReportLayout.Revisions revisions = new ReportLayout.Revisions();
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16);
          ZipOutputStream zip = new ZipOutputStream(out);
          Writer csv = new OutputStreamWriter(zip, StandardCharsets.UTF_8)) {
        int next = 0; // silos before it have their file
        Integer current = null;
        long count = 0;
        Instant first = null;
        Instant last = null;
        try (RowsInSheetOrder sorted = RowsInSheetOrder.open(rows, silos, header)) {
          while (sorted.hasNext()) {
            FinalHourlyRow row = sorted.next();
            if (current == null || row.siloId() != current) {
              Integer p = position.get(row.siloId());
              if (p == null || p < next) {
                throw new IllegalStateException("rows of silo " + row.siloId() + " are not among the report's silos or"
                    + " not in silo order");
              }
              if (current != null) {
                files.add(closeSilo(csv, current, count, first, last, rowsPerSilo));
              }
              for (; next < p; next++) {
                openSilo(zip, csv, silos.get(next));
                files.add(closeSilo(csv, silos.get(next), 0, null, null, rowsPerSilo));
              }
              openSilo(zip, csv, row.siloId());
              next = p + 1;
              current = row.siloId();
              count = 0;
              first = row.hourStart();
            }
            line(csv, HOUR.format(row.hourStart()), plain(row.avgValue()), plain(row.minValue()),
                plain(row.maxValue()), plain(row.sumValue()), Long.toString(row.recordCount()),
                Long.toString(row.lateCount()), row.revisedAt() == null ? "" : TIME.format(row.revisedAt()));
            revisions.add(row);
            last = row.hourStart();
            count++;
          }
        }
        if (current != null) {
          files.add(closeSilo(csv, current, count, first, last, rowsPerSilo));
        }
        for (; next < silos.size(); next++) {
          openSilo(zip, csv, silos.get(next));
          files.add(closeSilo(csv, silos.get(next), 0, null, null, rowsPerSilo));
        }
        long total = rowsPerSilo.values().stream().mapToLong(Long::longValue).sum();
        zip.putNextEntry(new ZipEntry(SUMMARY_FILE));
        line(csv, "fact", "value");
        for (ReportLayout.Fact f : ReportLayout.facts(header, silos, total, revisions)) {
          line(csv, f.label(), text(f.value()));
        }
        line(csv);
        line(csv, "file", "silo", "rows", "first hour (UTC)", "last hour (UTC)");
        for (ReportLayout.SiloSheets s : files) {
          line(csv, siloFile(s.siloId()), Integer.toString(s.siloId()), Long.toString(s.rows()), text(s.firstHour()),
              text(s.lastHour()));
        }
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
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      WorkbookStats stats = new WorkbookStats(rowsPerSilo, files.size() + 1, Files.size(destination));
      log.info("Wrote CSV report {} for job {}: {} rows in {} files, {} bytes, in {} ms", destination, header.jobId(),
          stats.totalRows(), stats.sheets(), stats.bytes(), (System.nanoTime() - started) / 1_000_000);
      return stats;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static void openSilo(ZipOutputStream zip, Writer csv, int siloId) throws IOException {
    csv.flush();
    zip.putNextEntry(new ZipEntry(siloFile(siloId)));
    line(csv, ReportLayout.SILO_HEADER.toArray(String[]::new));
  }

  private static ReportLayout.SiloSheets closeSilo(Writer csv, int siloId, long rows, Instant first, Instant last,
      Map<Integer, Long> rowsPerSilo) throws IOException {
    csv.flush();
    rowsPerSilo.put(siloId, rows);
    return new ReportLayout.SiloSheets(siloId, List.of(siloFile(siloId)), rows, first, last);
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
