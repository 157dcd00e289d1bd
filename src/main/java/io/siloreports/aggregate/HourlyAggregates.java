package io.siloreports.aggregate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

/**
 * Hourly per-silo aggregates as a monoid: {@link #partials} turns readings into (sum, min, max, count) per
 * silo-hour, {@link #merge} combines partials of any split of the readings into the partials of the whole,
 * and {@link #finish} rounds for output. The stream, the sink, the report and the backfill all use these,
 * so an average is always sum / count of the underlying readings, never an average of averages.
 */
public final class HourlyAggregates {
  public static final DecimalType EXACT = DataTypes.createDecimalType(38, 10);
  public static final DecimalType VALUE_OUT = DataTypes.createDecimalType(12, 2);
  /** Sums of an hour can exceed DECIMAL(12,2) long before single readings do. */
  public static final DecimalType SUM_OUT = DataTypes.createDecimalType(18, 2);

  /**
   * Partial aggregates: exact sum, min, max and count of some readings of a silo-hour; {@code late_count} of them
   * arrived after the hour was final, and {@code revised_at} is when the last of those was merged (null: never).
   */
  public static final StructType PARTIAL =
      new StructType()
          .add("silo_id", DataTypes.IntegerType)
          .add("hour_start", DataTypes.TimestampType)
          .add("sum_value", EXACT)
          .add("min_value", EXACT)
          .add("max_value", EXACT)
          .add("record_count", DataTypes.LongType)
          .add("late_count", DataTypes.LongType)
          .add("revised_at", DataTypes.TimestampType);

  public static final StructType FINAL =
      new StructType()
          .add("silo_id", DataTypes.IntegerType)
          .add("hour_start", DataTypes.TimestampType)
          .add("avg_value", VALUE_OUT)
          .add("min_value", VALUE_OUT)
          .add("max_value", VALUE_OUT)
          .add("sum_value", SUM_OUT)
          .add("record_count", DataTypes.LongType)
          .add("late_count", DataTypes.LongType)
          .add("revised_at", DataTypes.TimestampType);

  /** This monoid as the stream, the sinks and the backfill ask for a pipeline's aggregation. */
  public static final Aggregation AGGREGATION = new ByHour();

  /** Exact sum / count, rounded once, HALF_UP (Spark's decimal division would round twice). */
  private static final UserDefinedFunction AVERAGE =
      org.apache.spark.sql.functions.udf((UDF2<BigDecimal, Long, BigDecimal>) HourlyAggregates::average, VALUE_OUT);

  private HourlyAggregates() {}

  /** Readings (silo_id, ts, value) -> partials, one row per silo and UTC hour; none of them late. */
  public static Dataset<Row> partials(Dataset<Row> readings) {
    return partials(readings, lit(false), null);
  }

  /**
   * The same, where {@code late} says which readings arrive after their hour was final; an hour with a late
   * reading was revised at {@code revisedAt}.
   */
  public static Dataset<Row> partials(Dataset<Row> readings, Column late, Instant revisedAt) {
    Column lateCount = count(when(late, lit(1)));
    return readings
        .groupBy(col("silo_id"), TimeBuckets.hourStart(col("ts")).as("hour_start"))
        .agg(
            sum(col("value").cast(EXACT)).cast(EXACT).as("sum_value"),
            min(col("value").cast(EXACT)).as("min_value"),
            max(col("value").cast(EXACT)).as("max_value"),
            count(lit(1)).as("record_count"),
            lateCount.as("late_count"),
            revisedAt == null ? lit(null).cast(DataTypes.TimestampType).as("revised_at")
                : when(lateCount.gt(0), lit(Timestamp.from(revisedAt))).as("revised_at"));
  }

  /** Partials with repeated keys -> one partial per key. */
  public static Dataset<Row> merge(Dataset<Row> partials) {
    return partials
        .groupBy("silo_id", "hour_start")
        .agg(
            sum("sum_value").cast(EXACT).as("sum_value"),
            min("min_value").as("min_value"),
            max("max_value").as("max_value"),
            sum("record_count").cast("long").as("record_count"),
            sum("late_count").cast("long").as("late_count"),
            max("revised_at").as("revised_at"));
  }

  /** Merged partials -> output rows (columns of {@link #FINAL}), rounded HALF_UP to 2 decimals. */
  public static Dataset<Row> finish(Dataset<Row> merged) {
    return merged.select(finalColumns().toArray(Column[]::new));
  }

  /**
   * The same with the exact sum kept as {@code sum_exact} (the report's statistics average all readings of a range
   * exactly, not the rounded hourly sums).
   */
  public static Dataset<Row> finishKeepingExactSum(Dataset<Row> merged) {
    java.util.List<Column> columns = finalColumns();
    columns.add(col("sum_value").as(SUM_EXACT));
    return merged.select(columns.toArray(Column[]::new));
  }

  /** The exact sum of an hour's readings next to the rounded ones, in the report's rows. */
  public static final String SUM_EXACT = "sum_exact";

  private static java.util.List<Column> finalColumns() {
    return new java.util.ArrayList<>(java.util.List.of(
        col("silo_id"),
        col("hour_start"),
        AVERAGE.apply(col("sum_value"), col("record_count")).as("avg_value"),
        rounded(col("min_value"), VALUE_OUT).as("min_value"),
        rounded(col("max_value"), VALUE_OUT).as("max_value"),
        rounded(col("sum_value"), SUM_OUT).as("sum_value"),
        col("record_count"),
        coalesce(col("late_count"), lit(0L)).as("late_count"),
        col("revised_at")));
  }

  /** sum / count rounded once to 2 decimals HALF_UP; null for no readings. The one average of the product. */
  public static BigDecimal average(BigDecimal sum, Long count) {
    return sum == null || count == null || count == 0 ? null
        : sum.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_UP);
  }

  /** An exact value rounded for output: 2 decimals HALF_UP (what Spark's round(c, 2) does). */
  public static BigDecimal rounded(BigDecimal exact) {
    return exact == null ? null : exact.setScale(2, RoundingMode.HALF_UP);
  }

  private static Column rounded(Column c, DecimalType to) {
    return round(c, 2).cast(to);
  }

  /** Aggregates by silo and hour: no bucket sizes, nothing to cross-check per batch. */
  private static final class ByHour implements Aggregation {
    @Override
    public StructType partialSchema() {
      return PARTIAL;
    }

    @Override
    public List<String> keyColumns() {
      return List.of("silo_id", "hour_start");
    }

    @Override
    public String timeColumn() {
      return "hour_start";
    }

    @Override
    public List<Integer> bucketMinutes() {
      return List.of();
    }

    @Override
    public Dataset<Row> partials(Dataset<Row> validRecords) {
      return HourlyAggregates.partials(validRecords);
    }

    @Override
    public Dataset<Row> partials(Dataset<Row> validRecords, Column late, Instant at) {
      return HourlyAggregates.partials(validRecords, late, at);
    }

    @Override
    public Dataset<Row> merge(Dataset<Row> partials) {
      return HourlyAggregates.merge(partials);
    }

    @Override
    public PartialCombiner newCombiner() {
      return new PartialCombiner.Hourly();
    }

    @Override
    public Optional<Check> check(List<Row> partials, long records) {
      return Optional.empty();
    }

    @Override
    public <T> T match(T hourly, T buckets) {
      return hourly;
    }
  }
}
