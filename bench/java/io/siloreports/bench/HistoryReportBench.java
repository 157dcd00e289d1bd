package io.siloreports.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A month's report against the length of the raw history (bench/report/history): for each history length, 6 silos x
 * that many days generated (one file a day, the same end), all but the last day streamed available-now into the
 * embedded default's Parquet store (the setup admits every file in one batch, to set up fast), the last day's file
 * arriving after (a lag of one file). Then in every repetition the {@code report} command for the last 30 days, each
 * in its own JVM from start to the file in place, twice: as it runs (aggregates plus the files the stream has not
 * committed) and as before (the report cannot find the checkpoint, {@code checkpoint.dir} pointing elsewhere, so it
 * splits on event time and reads every raw file). Both workbooks' silo sheets must be equal cell for cell.
 *
 * <p>Usage: {@code HistoryReportBench <work dir> <repetitions> <days,days,...> [<range days> [reuse]]}: the report
 * covers the last {@code range days} (default 30); {@code reuse} keeps the data of an earlier run under the work dir
 * (its lag already arrived) and only runs the reports again.
 */
public final class HistoryReportBench {
  private HistoryReportBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int reps = Integer.parseInt(args[1]);
    int[] histories = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
    int rangeDays = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    boolean reuse = args.length > 4 && args[4].equals("reuse");
    Path endFile = work.resolve("end.txt");
    Instant end;
    if (reuse) {
      end = Instant.parse(Files.readString(endFile).trim());
    } else {
      end = Instant.now().truncatedTo(ChronoUnit.HOURS);
      IngestBench.deleteTreeQuietly(work);
      Files.createDirectories(work);
      Files.writeString(endFile, end.toString());
    }
    Files.createDirectories(work.resolve("logs"));
    List<String> table = new ArrayList<>();
    double[] medians = new double[histories.length];
    double[] workMedians = new double[histories.length];
    Setup[] setups = new Setup[histories.length];
    for (int h = 0; h < histories.length; h++) {
      int history = histories[h];
      Path dir = work.resolve("days-" + history);
      Path props = dir.resolve("bench.properties");
      Files.createDirectories(dir);
      Files.writeString(props, String.join("\n", "input.dir=" + dir.resolve("input"),
          "warehouse.dir=" + dir.resolve("warehouse"), "checkpoint.dir=" + dir.resolve("checkpoints"),
          "jobstore.url=jdbc:sqlite:" + dir.resolve("jobstore.db"), "report.output-dir=" + dir.resolve("out"),
          "db.migrate-on-start=true", "spark.master=local[2]", "spark.ui.enabled=false",
          "stream.pipelines=silo-readings", "source.file.maxFilesPerTrigger=100000", ""));
      if (!reuse) {
        IngestBench.child(work, "generate-" + history, List.of("-Xmx1g"), "io.siloreports.cli.Main", "generate",
          "--config", props.toString(), "--silos", "6", "--days", Integer.toString(history), "--end", end.toString());
      }
      Path readings = dir.resolve("input/silo-readings");
      List<Path> files;
      try (Stream<Path> s = Files.list(readings)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
      }
      List<Path> days;
      try (Stream<Path> s = Files.list(readings)) {
        days = s.filter(p -> p.getFileName().toString().startsWith("readings-")).sorted().toList();
      }
      long bytes = 0;
      for (Path f : files) {
        bytes += Files.size(f);
      }
      Path last = days.get(days.size() - 1); // the newest day's readings (the generator's late ones are in zz-late-*)
      Path held = dir.resolve(last.getFileName());
      double streamS = Double.NaN;
      if (!reuse) {
        Files.move(last, held);
        streamS = IngestBench.child(work, "stream-" + history, List.of("-Xmx3g"), "io.siloreports.cli.Main", "stream",
            "--config", props.toString()).seconds();
        Files.move(held, last); // arrived after the stream's last batch: the lag
      }
      setups[h] = new Setup(dir, props, files.size(), bytes, streamS);
    }
    // Repetitions outside, histories inside: on a shared machine a burst of someone else's load then falls on every
    // history alike instead of on whichever one was running.
    double[][] now = new double[histories.length][reps];
    double[][] before = new double[histories.length][reps];
    double[][] inReport = new double[histories.length][reps];
    String runTag = Long.toString(System.currentTimeMillis() / 1000 % 1_000_000); // job ids unique across reuses
    for (int rep = 0; rep < reps; rep++) {
      for (int h = 0; h < histories.length; h++) {
        int history = histories[h];
        Path dir = setups[h].dir();
        Path props = setups[h].props();
        String id = "d" + history + "-r" + rangeDays + "-" + rep + (reuse ? "-again-" + runTag : "");
        now[h][rep] = report(work, props, id, end, rangeDays, null).seconds();
        inReport[h][rep] = processingToCompleted(dir.resolve("jobstore.db"), id);
        before[h][rep] = report(work, props, id + "-before", end, rangeDays, dir.resolve("no-checkpoint").toString())
            .seconds();
        Map<String, String> cells = SiloSheetDigest.of(dir.resolve("out/reports/" + id + "/silo_data_report.xlsx"));
        if (cells.size() != 6 || !cells.equals(
            SiloSheetDigest.of(dir.resolve("out/reports/" + id + "-before/silo_data_report.xlsx")))) {
          throw new IllegalStateException("the two reports of " + id + " differ; see " + dir);
        }
        System.out.printf(Locale.ROOT, "RESULT days=%d rep=%d report_s=%.2f processing_to_completed_s=%.2f"
            + " previous_s=%.2f%n", history, rep, now[h][rep], inReport[h][rep], before[h][rep]);
      }
    }
    for (int h = 0; h < histories.length; h++) {
      double[] n = now[h];
      double[] b = before[h];
      double[] w = inReport[h];
      Arrays.sort(n);
      Arrays.sort(b);
      Arrays.sort(w);
      medians[h] = median(n);
      workMedians[h] = median(w);
      Setup su = setups[h];
      table.add(String.format(Locale.ROOT,
          "| %d | %d | %.0f | %s | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f |",
          histories[h], su.files(), su.bytes() / 1e6,
          Double.isNaN(su.streamS()) ? "-" : String.format(Locale.ROOT, "%.0f", su.streamS()), n[0], median(n),
          n[reps - 1], w[0], median(w), w[reps - 1], b[0], median(b), b[reps - 1]));
    }
    double lo = Arrays.stream(medians).min().orElseThrow();
    double hi = Arrays.stream(medians).max().orElseThrow();
    System.out.println();
    System.out.printf(Locale.ROOT, "report range: the last %d days to %s%n", rangeDays, end);
    System.out.println("| days of raw history | raw files | raw MB | setup stream s | report s, reading the"
        + " uncommitted files, whole JVM (min / median / max) | of which PROCESSING to COMPLETED s (min / median / max)"
        + " | previous behaviour s, every file, whole JVM (min / median / max) |");
    System.out.println("|---|---|---|---|---|---|---|");
    table.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%nlargest / smallest median report time: %.2f (whole JVM), %.2f (PROCESSING to"
        + " COMPLETED) (%d repetitions each)%n", hi / lo,
        Arrays.stream(workMedians).max().orElseThrow() / Arrays.stream(workMedians).min().orElseThrow(), reps);
  }

  private static IngestBench.Child report(Path work, Path props, String jobId, Instant end, int rangeDays,
      String checkpoint) throws Exception {
    List<String> args = new ArrayList<>(List.of("report", "--config", props.toString(), "--job-id", jobId,
        "--from", end.minus(rangeDays, ChronoUnit.DAYS).toString(), "--to", end.toString(), "--silos", "1-6"));
    if (checkpoint != null) {
      args.addAll(List.of("--conf", "checkpoint.dir=" + checkpoint));
    }
    return IngestBench.child(work, jobId, List.of("-Xmx2g"), "io.siloreports.cli.Main", args.toArray(String[]::new));
  }

  /**
   * The report's own work, from its job's history in the job store (millisecond times): reading, splitting, writing
   * and storing the workbook, without the JVM's start, which on a shared machine varies more than the work.
   */
  private static double processingToCompleted(Path jobStore, String jobId) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + jobStore);
        PreparedStatement st = c.prepareStatement("SELECT to_status, at FROM report_job_events WHERE job_id = ?")) {
      st.setString(1, jobId);
      Instant processing = null;
      Instant completed = null;
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Instant at = Instant.parse(rs.getString(2));
          switch (rs.getString(1)) {
            case "PROCESSING" -> processing = at;
            case "COMPLETED" -> completed = at;
            default -> { }
          }
        }
      }
      if (processing == null || completed == null) {
        throw new IllegalStateException("job " + jobId + " has no PROCESSING and COMPLETED events in " + jobStore);
      }
      return Duration.between(processing, completed).toMillis() / 1e3;
    }
  }

  /** One history's data, streamed once, then reported on in every repetition. */
  private record Setup(Path dir, Path props, int files, long bytes, double streamS) {}

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
