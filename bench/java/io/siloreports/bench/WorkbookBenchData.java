package io.siloreports.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_seconds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Generates deterministic synthetic final hourly rows (silos 1..S, every hour of D days from
 * {@link #FIRST_HOUR}) into a Parquet directory. Values repeat exactly between runs: they derive from a
 * hash of the row number. Usage: {@code WorkbookBenchData <dir> <silos> <days>}.
 */
public final class WorkbookBenchData {
  static final Instant FIRST_HOUR = Instant.parse("2024-01-01T00:00:00Z");

  private WorkbookBenchData() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int silos = Integer.parseInt(args[1]);
    int days = Integer.parseInt(args[2]);
    SparkSession spark = WorkbookBenchRun.session("silo-reports-bench-data");
    long hoursPerSilo = days * 24L;
    Column id = col("id");
    // cents in -10,000.00..9,999.99 (negative values included), spread around the average
    Column avgCents = pmod(hash(id), lit(2_000_000)).minus(1_000_000);
    Column spreadCents = pmod(hash(id, lit(1)), lit(50_000));
    Column count = pmod(hash(id, lit(2)), lit(60)).plus(1);
    Dataset<Row> rows =
        spark.range(0, silos * hoursPerSilo, 1, 8)
            .select(
                id.divide(hoursPerSilo).cast("int").plus(1).as("silo_id"),
                timestamp_seconds(pmod(id, lit(hoursPerSilo)).multiply(3600).plus(FIRST_HOUR.getEpochSecond())).as("hour_start"),
                avgCents.divide(100).cast("decimal(12,2)").as("avg_value"),
                avgCents.minus(spreadCents).divide(100).cast("decimal(12,2)").as("min_value"),
                avgCents.plus(spreadCents).divide(100).cast("decimal(12,2)").as("max_value"),
                avgCents.multiply(count).divide(100).cast("decimal(18,2)").as("sum_value"),
                count.cast("bigint").as("record_count"));
    rows.write().mode("overwrite").parquet(dir.toString());
    Files.writeString(dir.resolve("_bench_params"), "silos=" + silos + " days=" + days + "\n");
    System.out.printf("wrote %,d rows (%d silos x %d days) to %s%n", silos * hoursPerSilo, silos, days, dir);
    System.exit(0); // Spark leaves non-daemon threads behind
  }
}
