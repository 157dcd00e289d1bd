package io.siloreports.report.hot;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.db.Jdbc;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Hot readings from the seeds' raw time-series table {@code silo_readings(silo_id, ts, value)}: a range scan
 * on its {@code ts} index. Rows there were typed on the way in, so no parsing happens here.
 */
public final class MySqlHotReadings implements HotReadings {
  private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private final SparkSession spark;
  private final Jdbc db;

  public MySqlHotReadings(SparkSession spark, Jdbc db) {
    this.spark = spark;
    this.db = db;
  }

  @Override
  public Dataset<Row> readings(Instant from, Instant until) {
    String query = "(SELECT silo_id, ts, value FROM silo_readings WHERE ts >= '" + sql(from) + "' AND ts < '"
        + sql(until) + "') AS hot";
    Dataset<Row> rows = spark.read().jdbc(db.url(), query, db.sparkProperties());
    return rows.select(
        rows.col("silo_id").cast("int").as("silo_id"),
        rows.col("ts").cast("timestamp").as("ts"),
        rows.col("value").cast(HourlyAggregates.EXACT).as("value"));
  }

  @Override
  public String describe() {
    return "MySQL table silo_readings at " + db.redactedUrl();
  }

  private static String sql(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(SQL_TIME);
  }
}
