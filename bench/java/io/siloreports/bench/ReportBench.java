package io.siloreports.bench;

import io.siloreports.testing.servers.EmbeddedMySql;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The large-report benchmark (bench/report/run): {@code silos x days} of hourly aggregates loaded into MariaDB with
 * {@code LOAD DATA}, then in every repetition silo-reports' {@code report} command (its defaults: Spark local[2],
 * statistics and charts on) and {@link ReportProgram} (JDBC streaming + SXSSF, single-threaded), each in its own
 * JVM over the same rows. Every run of the report, at every heap, is compared with that repetition's program
 * workbook, silo sheet by silo sheet and cell for cell ({@link SiloSheetDigest}), and its row count checked: a run
 * that wrote a wrong workbook stops the benchmark, whatever its heap.
 *
 * <p>Usage: {@code ReportBench <work dir> <silos> <days> <repetitions> <report -Xmx,...> <program -Xmx>}: with several
 * heaps, every repetition runs the report once with each (the first heap's runs make the time ratio).
 */
public final class ReportBench {
  private static final LocalDateTime FIRST = LocalDateTime.of(2025, 1, 1, 0, 0);
  private static final java.time.format.DateTimeFormatter SQL_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private ReportBench() {}

  record Run(int rep, String xmx, double reportS, long reportRssMb, double programS, long programRssMb) {
    double ratio() {
      return reportS / programS;
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int silos = Integer.parseInt(args[1]);
    int days = Integer.parseInt(args[2]);
    int reps = Integer.parseInt(args[3]);
    List<String> reportXmx = List.of(args[4].split(","));
    String programXmx = args[5];
    Files.createDirectories(work.resolve("logs"));
    long expectedRows = (long) silos * days * 24;
    LocalDateTime end = FIRST.plusDays(days);
    List<Run> runs = new ArrayList<>();
    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "bench_report").start()) {
      String url = mysql.jdbcUrl() + "&allowLoadLocalInfile=true";
      Path props = work.resolve("report.properties");
      Files.writeString(props, String.join("\n",
          "sink.type=mysql", "db.url=" + mysql.jdbcUrl(), "db.user=root", "db.password=",
          "db.migrate-on-start=false", "jobstore.url=jdbc:sqlite:" + work.resolve("jobstore.db"),
          "report.output-dir=" + work.resolve("out"), "input.dir=" + work.resolve("no-raw-input"),
          "spark.master=local[2]", "spark.ui.enabled=false", ""));
      IngestBench.child(work, "migrate", List.of("-Xmx512m"), "io.siloreports.cli.Main", "migrate", "--config",
          props.toString());
      long loadStarted = System.nanoTime();
      Path tsv = work.resolve("aggregates-" + silos + "x" + days + ".tsv");
      generate(tsv, silos, days);
      try (Connection c = DriverManager.getConnection(url, "root", "");
          Statement s = c.createStatement()) {
        s.execute("LOAD DATA LOCAL INFILE '" + tsv + "' INTO TABLE silo_hourly_aggregates (silo_id, hour_start,"
            + " avg_value, min_value, max_value, sum_value, record_count, sum_exact, min_exact, max_exact, updated_at,"
            + " late_count, @revised) SET revised_at = NULLIF(@revised, '')");
        s.execute("INSERT INTO aggregation_progress (pipeline, last_batch_id, finalized_before, max_event_time,"
            + " valid_total, bad_total, late_total, updated_at) VALUES ('silo-readings', 0, '" + SQL_TIME.format(end)
            + "', '" + SQL_TIME.format(end) + "', 0, 0, 0, NOW())");
      }
      System.out.printf(Locale.ROOT, "LOADED rows=%d seconds=%.1f%n", expectedRows, (System.nanoTime() - loadStarted) / 1e9);

      for (int rep = 1; rep <= reps; rep++) {
        Path programOut = work.resolve("program-" + rep + ".xlsx");
        IngestBench.Child program = IngestBench.child(work, "program-" + rep, List.of("-Xmx" + programXmx),
            ReportProgram.class.getName(), mysql.jdbcUrl(), "root", "", FIRST.toString(), end.toString(),
            programOut.toString());
        Map<String, String> programCells = SiloSheetDigest.of(programOut);
        for (String xmx : reportXmx) {
          String jobId = "bench-" + System.currentTimeMillis();
          IngestBench.Child report = IngestBench.child(work, "report-" + rep + "-" + xmx, List.of("-Xmx" + xmx),
              "io.siloreports.cli.Main", "report", "--config", props.toString(), "--job-id", jobId,
              "--from", FIRST.toInstant(ZoneOffset.UTC).toString(), "--to", end.toInstant(ZoneOffset.UTC).toString());
          Path reportOut = work.resolve("out/reports/" + jobId + "/silo_data_report.xlsx");
          String check = check(reportOut, programCells, expectedRows, silos);
          Run r = new Run(rep, xmx, report.seconds(), report.rssMb(), program.seconds(), program.rssMb());
          runs.add(r);
          System.out.printf(Locale.ROOT, "RESULT silos=%d days=%d rep=%d report_s=%.1f report_rss_mb=%d report_xmx=%s"
                  + " program_s=%.1f program_rss_mb=%d program_xmx=%s time_ratio=%.2f check=%s%n", silos, days, rep,
              report.seconds(), report.rssMb(), xmx, program.seconds(), program.rssMb(), programXmx, r.ratio(),
              check);
          Files.deleteIfExists(reportOut);
        }
        Files.deleteIfExists(programOut);
      }
    }
    System.out.println();
    System.out.println("| silos x days | rows | -Xmx | runs | silo-reports s (min / median / max) | RSS MB (max) |"
        + " program s (min / median / max) | program RSS MB (max, -Xmx" + programXmx + ") | time vs program (min / median"
        + " / max) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String xmx : reportXmx) {
      List<Run> rs = runs.stream().filter(r -> r.xmx.equals(xmx)).toList();
      double[] ratio = rs.stream().mapToDouble(Run::ratio).sorted().toArray();
      double[] report = rs.stream().mapToDouble(Run::reportS).sorted().toArray();
      double[] program = rs.stream().mapToDouble(Run::programS).sorted().toArray();
      System.out.printf(Locale.ROOT, "| %d x %d | %,d | %s | %d | %.1f / %.1f / %.1f | %d | %.1f / %.1f / %.1f | %d |"
              + " %.2fx / %.2fx / %.2fx |%n", silos, days, expectedRows, xmx, rs.size(), report[0], median(report),
          report[report.length - 1], rs.stream().mapToLong(Run::reportRssMb).max().orElse(0), program[0],
          median(program), program[program.length - 1], rs.stream().mapToLong(Run::programRssMb).max().orElse(0),
          ratio[0], median(ratio), ratio[ratio.length - 1]);
    }
  }

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /** The report's workbook against the program's cells: the same silo sheets, cell for cell, and every row. */
  static String check(Path report, Map<String, String> b, long expectedRows, int silos) throws Exception {
    if (!Files.exists(report)) {
      throw new IllegalStateException("the report wrote no workbook at " + report);
    }
    Map<String, String> a = SiloSheetDigest.of(report);
    long rows = a.values().stream().mapToLong(v -> Long.parseLong(v.substring(0, v.indexOf(':'))) - 1).sum();
    if (!a.equals(b) || rows != expectedRows || a.size() != silos) {
      String first = a.keySet().stream().filter(k -> !a.get(k).equals(b.get(k))).findFirst().orElse("-");
      throw new IllegalStateException("workbooks differ: report " + a.size() + " silo sheets, " + rows + " rows;"
          + " program " + b.size() + " sheets; expected " + expectedRows + " rows; first different sheet " + first);
    }
    return "same_cells_sheets=" + a.size() + "_rows=" + rows;
  }

  /** One row per silo and hour: exact values with 2 decimals, count 1-120, one hour in 50 revised by late readings. */
  static void generate(Path tsv, int silos, int days) throws IOException {
    if (Files.exists(tsv)) {
      return;
    }
    Path tmp = tsv.resolveSibling(tsv.getFileName() + ".tmp");
    Random random = new Random(silos * 1_000L + days);
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      StringBuilder b = new StringBuilder(200);
      for (int silo = 1; silo <= silos; silo++) {
        for (int h = 0; h < days * 24; h++) {
          LocalDateTime hour = FIRST.plusHours(h);
          long count = 1 + random.nextInt(120);
          BigDecimal min = BigDecimal.valueOf(random.nextInt(800_000), 2);
          BigDecimal max = min.add(BigDecimal.valueOf(random.nextInt(200_000), 2));
          BigDecimal sum = min.add(max).multiply(BigDecimal.valueOf(count)).divide(BigDecimal.valueOf(2), 2,
              RoundingMode.HALF_UP);
          boolean revised = random.nextInt(50) == 0;
          b.setLength(0);
          b.append(silo).append('\t').append(SQL_TIME.format(hour)).append('\t')
              .append(sum.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_UP)).append('\t').append(min)
              .append('\t').append(max).append('\t').append(sum).append('\t').append(count).append('\t')
              .append(sum).append('\t').append(min).append('\t').append(max).append('\t')
              .append("2026-01-02 00:00:00.000").append('\t').append(revised ? 1 + random.nextInt(5) : 0)
              .append('\t').append(revised ? SQL_TIME.format(hour.plusHours(3)) + ".250" : "")
              .append('\n');
          w.append(b);
        }
      }
    }
    Files.move(tmp, tsv);
  }

  static void deleteQuietly(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
