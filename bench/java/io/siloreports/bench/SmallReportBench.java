package io.siloreports.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The small-report benchmark (bench/report/small): {@code jobs/demo}'s data (6 silos x 20 days generated, streamed
 * available-now into the embedded default's Parquet store), then in every repetition the {@code report} command twice,
 * each in its own JVM from start to the file in place: as it runs (no part needs Spark, so no SparkSession starts) and
 * with its Parquet read forced through Spark ({@code sink.parquet.direct-read-max-rows=0}), the comparator. Every run
 * is checked: the first must log no SparkSession start, the second must log one, and both workbooks' silo sheets must
 * be equal cell for cell.
 *
 * <p>Usage: {@code SmallReportBench <work dir> <repetitions>}.
 */
public final class SmallReportBench {
  private static final String SPARK_STARTED = "starting a SparkSession";

  private SmallReportBench() {}

  record Run(int rep, double reportS, long reportRssMb, double sparkS, long sparkRssMb) {
    double ratio() {
      return reportS / sparkS;
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int reps = Integer.parseInt(args[1]);
    IngestBench.deleteTreeQuietly(work);
    Files.createDirectories(work.resolve("logs"));
    Path props = work.resolve("small.properties");
    Files.writeString(props, String.join("\n", "input.dir=" + work.resolve("input"),
        "warehouse.dir=" + work.resolve("warehouse"), "checkpoint.dir=" + work.resolve("checkpoints"),
        "jobstore.url=jdbc:sqlite:" + work.resolve("jobstore.db"), "report.output-dir=" + work.resolve("out"),
        "db.migrate-on-start=true", "spark.master=local[2]", "spark.ui.enabled=false", ""));
    IngestBench.child(work, "generate", List.of("-Xmx1g"), "io.siloreports.cli.Main", "generate", "--config",
        props.toString(), "--silos", "6", "--days", "20");
    IngestBench.child(work, "stream", List.of("-Xmx2g"), "io.siloreports.cli.Main", "stream", "--config",
        props.toString());
    List<Run> runs = new ArrayList<>();
    for (int rep = 1; rep <= reps; rep++) {
      IngestBench.Child report = report(work, props, "small-" + rep, false);
      IngestBench.Child spark = report(work, props, "small-spark-" + rep, true);
      Map<String, String> cells = SiloSheetDigest.of(workbook(work, "small-" + rep));
      if (!cells.equals(SiloSheetDigest.of(workbook(work, "small-spark-" + rep))) || cells.size() != 6) {
        throw new IllegalStateException("the two reports of repetition " + rep + " differ; see " + work);
      }
      Run r = new Run(rep, report.seconds(), report.rssMb(), spark.seconds(), spark.rssMb());
      runs.add(r);
      long rows = cells.values().stream().mapToLong(v -> Long.parseLong(v.substring(0, v.indexOf(':'))) - 1).sum();
      System.out.printf(Locale.ROOT, "RESULT rep=%d report_s=%.2f report_rss_mb=%d spark_path_s=%.2f"
              + " spark_path_rss_mb=%d time_ratio=%.2f check=no_spark_session_same_cells_sheets=%d_rows=%d%n", rep,
          r.reportS(), r.reportRssMb(), r.sparkS(), r.sparkRssMb(), r.ratio(), cells.size(), rows);
    }
    double[] report = runs.stream().mapToDouble(Run::reportS).sorted().toArray();
    double[] spark = runs.stream().mapToDouble(Run::sparkS).sorted().toArray();
    double[] ratio = runs.stream().mapToDouble(Run::ratio).sorted().toArray();
    System.out.println();
    System.out.println("| runs | report s (min / median / max) | RSS MB (max) | Spark path s (min / median / max) |"
        + " Spark path RSS MB (max) | time vs Spark path (min / median / max) |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| %d | %.2f / %.2f / %.2f | %d | %.2f / %.2f / %.2f | %d | %.2fx / %.2fx / %.2fx |%n",
        runs.size(), report[0], median(report), report[report.length - 1],
        runs.stream().mapToLong(Run::reportRssMb).max().orElse(0), spark[0], median(spark), spark[spark.length - 1],
        runs.stream().mapToLong(Run::sparkRssMb).max().orElse(0), ratio[0], median(ratio), ratio[ratio.length - 1]);
  }

  /** One run of the CLI's report; fails unless it started Spark exactly when {@code forceSpark}. */
  private static IngestBench.Child report(Path work, Path props, String jobId, boolean forceSpark) throws Exception {
    List<String> args = new ArrayList<>(List.of("report", "--config", props.toString(), "--job-id", jobId));
    if (forceSpark) {
      args.addAll(List.of("--conf", "sink.parquet.direct-read-max-rows=0"));
    }
    IngestBench.Child run = IngestBench.child(work, jobId, List.of("-Xmx2g"), "io.siloreports.cli.Main",
        args.toArray(String[]::new));
    boolean started = Files.readString(run.log()).contains(SPARK_STARTED);
    if (started != forceSpark) {
      throw new IllegalStateException("report " + jobId + (forceSpark ? " did not start" : " started")
          + " a SparkSession; see " + run.log());
    }
    return run;
  }

  private static Path workbook(Path work, String jobId) {
    return work.resolve("out/reports/" + jobId + "/silo_data_report.xlsx");
  }

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
