package io.siloreports.report.workbook;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.report.statistics.SiloHour;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * One final hourly row of a report, as the workbook writers read it from Spark.
 *
 * <p>The decimal columns may be null (a writer leaves the cell blank); silo, hour and count may not.
 *
 * @param lateCount readings of the hour that arrived after it was final (merged all the same)
 * @param revisedAt when the hour last changed after it was final (a late reading or a backfill); null: never
 * @param sumExact the exact sum of the hour's readings (the statistics' average of a range is exact)
 */
public record FinalHourlyRow(
    int siloId,
    Instant hourStart,
    BigDecimal avgValue,
    BigDecimal minValue,
    BigDecimal maxValue,
    BigDecimal sumValue,
    long recordCount,
    long lateCount,
    Instant revisedAt,
    BigDecimal sumExact) {

  /** A row whose exact sum is its rounded one (tests, and rows from stores that keep no exact sum). */
  public FinalHourlyRow(int siloId, Instant hourStart, BigDecimal avgValue, BigDecimal minValue, BigDecimal maxValue,
      BigDecimal sumValue, long recordCount, long lateCount, Instant revisedAt) {
    this(siloId, hourStart, avgValue, minValue, maxValue, sumValue, recordCount, lateCount, revisedAt, sumValue);
  }

  /** The report's columns, in the order {@link #from(Row)} expects them. */
  public static final List<String> COLUMNS =
      List.of("silo_id", "hour_start", "avg_value", "min_value", "max_value", "sum_value", "record_count",
          "late_count", "revised_at", HourlyAggregates.SUM_EXACT);

  /**
   * {@link #COLUMNS} as Spark columns of {@code rows}, to project it into the order {@link #from(Row)} reads; rows
   * without an exact sum use the rounded one.
   */
  public static Column[] columns(Dataset<Row> rows) {
    boolean exact = List.of(rows.columns()).contains(HourlyAggregates.SUM_EXACT);
    return COLUMNS.stream()
        .map(c -> c.equals(HourlyAggregates.SUM_EXACT) && !exact
            ? functions.col("sum_value").as(c) : functions.col(c))
        .toArray(Column[]::new);
  }

  /** The statistics' view of the row. */
  public SiloHour toSiloHour() {
    return new SiloHour(hourStart, sumExact != null ? sumExact : sumValue, recordCount, minValue, maxValue, lateCount,
        revisedAt != null);
  }

  /** Reads a row projected with {@link #columns(Dataset)}. */
  public static FinalHourlyRow from(Row row) {
    if (row.isNullAt(0) || row.isNullAt(1) || row.isNullAt(6)) {
      throw new IllegalArgumentException("report row without silo_id, hour_start or record_count: " + row);
    }
    return new FinalHourlyRow(
        row.getInt(0),
        toInstant(row.get(1)),
        row.isNullAt(2) ? null : row.getDecimal(2),
        row.isNullAt(3) ? null : row.getDecimal(3),
        row.isNullAt(4) ? null : row.getDecimal(4),
        row.isNullAt(5) ? null : row.getDecimal(5),
        row.getLong(6),
        row.isNullAt(7) ? 0 : row.getLong(7),
        row.isNullAt(8) ? null : toInstant(row.get(8)),
        row.isNullAt(9) ? (row.isNullAt(5) ? null : row.getDecimal(5)) : row.getDecimal(9));
  }

  // Spark hands out java.sql.Timestamp, or Instant when spark.sql.datetime.java8API.enabled is set.
  private static Instant toInstant(Object value) {
    if (value instanceof Timestamp timestamp) {
      return timestamp.toInstant();
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    throw new IllegalArgumentException("not a timestamp: " + value.getClass().getName());
  }
}
