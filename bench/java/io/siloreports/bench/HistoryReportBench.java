package io.siloreports.bench;

import java.nio.file.Files;
import java.nio.file.Path;
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
      double[] now = new double[reps];
      double[] before = new double[reps];
      for (int rep = 0; rep < reps; rep++) {
        String id = "d" + history + "-r" + rangeDays + "-" + rep + (reuse ? "-again" : "");
        now[rep] = report(work, props, id, end, rangeDays, null).seconds();
        before[rep] = report(work, props, id + "-before", end, rangeDays, dir.resolve("no-checkpoint").toString())
            .seconds();
        Map<String, String> cells = SiloSheetDigest.of(dir.resolve("out/reports/" + id + "/silo_data_report.xlsx"));
        if (cells.size() != 6 || !cells.equals(
            SiloSheetDigest.of(dir.resolve("out/reports/" + id + "-before/silo_data_report.xlsx")))) {
          throw new IllegalStateException("the two reports of " + id + " differ; see " + dir);
        }
        System.out.printf(Locale.ROOT, "RESULT days=%d rep=%d report_s=%.2f previous_s=%.2f%n", history, rep, now[rep],
            before[rep]);
      }
      Arrays.sort(now);
      Arrays.sort(before);
      medians[h] = median(now);
      table.add(String.format(Locale.ROOT, "| %d | %d | %.0f | %s | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f |",
          history, files.size(), bytes / 1e6, Double.isNaN(streamS) ? "-" : String.format(Locale.ROOT, "%.0f", streamS), now[0], median(now), now[reps - 1], before[0],
          median(before), before[reps - 1]));
    }
    double lo = Arrays.stream(medians).min().orElseThrow();
    double hi = Arrays.stream(medians).max().orElseThrow();
    System.out.println();
    System.out.printf(Locale.ROOT, "report range: the last %d days to %s%n", rangeDays, end);
    System.out.println("| days of raw history | raw files | raw MB | setup stream s | report s, reading the"
        + " uncommitted files (min / median / max) | previous behaviour s, every file (min / median / max) |");
    System.out.println("|---|---|---|---|---|---|");
    table.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%nlargest / smallest median report time: %.2f (%d repetitions each)%n", hi / lo,
        reps);
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

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
