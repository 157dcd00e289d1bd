package io.siloreports.bench;

import static org.apache.spark.sql.functions.col;

import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One benchmark run, meant to be its own JVM: reads silos 1..S of the Parquet rows from
 * {@link WorkbookBenchData}, writes them with one writer and prints a {@code RESULT} line (time of the
 * write alone, peak heap, file size). Usage:
 * {@code WorkbookBenchRun <sxssf|sxssf-nocharts|fastexcel|spark-excel|csv> <parquet dir> <silos> <days> <output file>}
 * ({@code sxssf-nocharts}: the report's statistics without its charts).
 *
 * <p>The writer class is loaded by name so that a spark-excel run never touches our POI classes.
 */
public final class WorkbookBenchRun {
  private WorkbookBenchRun() {}

  public static void main(String[] args) throws Exception {
    HeapMonitor heap = HeapMonitor.start();
    String writerName = args[0];
    Path parquet = Path.of(args[1]);
    int silos = Integer.parseInt(args[2]);
    int days = Integer.parseInt(args[3]);
    Path output = Path.of(args[4]);
    String writerClass =
        switch (writerName) {
          case "sxssf", "sxssf-nocharts" -> "io.siloreports.report.workbook.SxssfWorkbookWriter";
          case "spark-excel" -> "io.siloreports.bench.SparkExcelWorkbookWriter";
          case "csv" -> "io.siloreports.bench.CsvBaselineWriter";
          case "fastexcel" -> "io.siloreports.bench.FastexcelWorkbookWriter";
          default -> throw new IllegalArgumentException("unknown writer " + writerName);
        };
    WorkbookWriter writer = writerName.equals("sxssf-nocharts")
        // statistics on, charts off: what the charts cost
        ? new io.siloreports.report.workbook.SxssfWorkbookWriter(
            new io.siloreports.report.statistics.StatisticsSettings(6.0, 6, Duration.ofHours(6), 100.0, 0, false))
        : (WorkbookWriter) Class.forName(writerClass).getDeclaredConstructor().newInstance();

    SparkSession spark = session("silo-reports-bench-" + writerName);
    Instant from = WorkbookBenchData.FIRST_HOUR;
    Instant to = from.plus(Duration.ofDays(days));
    Dataset<Row> rows =
        spark.read().parquet(parquet.toString())
            .filter(col("silo_id").leq(silos).and(col("hour_start").lt(java.sql.Timestamp.from(to))));
    // Rows written before the report had late readings lack their columns: none were late.
    if (!List.of(rows.columns()).contains("late_count")) {
      rows = rows.withColumn("late_count", org.apache.spark.sql.functions.lit(0L))
          .withColumn("revised_at", org.apache.spark.sql.functions.lit(null).cast("timestamp"));
    }
    List<Integer> siloIds = IntStream.rangeClosed(1, silos).boxed().collect(Collectors.toList());
    ReportHeader header =
        new ReportHeader("bench-" + writerName + "-" + silos + "x" + days, siloIds, from, to, to, to, Instant.now(), 0L);
    Files.createDirectories(output.toAbsolutePath().getParent());

    long started = System.nanoTime();
    WorkbookStats stats = writer.write(header, rows, siloIds, output);
    double seconds = (System.nanoTime() - started) / 1e9;

    long expectedRows = silos * days * 24L;
    System.out.printf(
        "RESULT writer=%s silos=%d days=%d rows=%d expected_rows=%d sheets=%d bytes=%d seconds=%.1f"
            + " peak_heap_mb=%d peak_after_gc_mb=%d max_heap_mb=%d%n",
        writerName, silos, days, stats.totalRows(), expectedRows, stats.sheets(), stats.bytes(), seconds,
        heap.peakUsedBytes() >> 20, heap.peakAfterGcBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    System.exit(stats.totalRows() == expectedRows ? 0 : 2);
  }

  static SparkSession session(String name) {
    return SparkSession.builder()
        .master("local[2]")
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }
}
