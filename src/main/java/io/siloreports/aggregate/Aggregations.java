package io.siloreports.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.model.Pipeline;
import io.siloreports.model.Times;
import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** The aggregation of each pipeline, so the stream, sinks and backfill treat both pipelines alike. */
public final class Aggregations {
  private Aggregations() {}

  public static Dataset<Row> partials(Pipeline p, Dataset<Row> validRecords) {
    return p == Pipeline.SILO_READINGS
        ? HourlyAggregates.partials(validRecords)
        : BucketCounts.partials(validRecords);
  }

  /** Partials where {@code late} marks the records merged into hours already final, revised at {@code at}. */
  public static Dataset<Row> partials(Pipeline p, Dataset<Row> validRecords, Column late, Instant at) {
    return p == Pipeline.SILO_READINGS
        ? HourlyAggregates.partials(validRecords, late, at)
        : BucketCounts.partials(validRecords, late, at);
  }

  public static Dataset<Row> merge(Pipeline p, Dataset<Row> partials) {
    return p == Pipeline.SILO_READINGS ? HourlyAggregates.merge(partials) : BucketCounts.merge(partials);
  }

  public static StructType partialSchema(Pipeline p) {
    return p == Pipeline.SILO_READINGS ? HourlyAggregates.PARTIAL : BucketCounts.SCHEMA;
  }

  /**
   * The records (parsed, with {@code ts}) that went into the partial row {@code partial} of {@code p}, and into the
   * other partials of their hour: for counts, every bucket of the events of that type, account and hour, so that
   * leaving them out keeps the 1, 5, 15 and 60-minute counts of the hour equal.
   */
  public static Column recordsOf(Pipeline p, Row partial) {
    Column hour = TimeBuckets.hourStart(col("ts"));
    if (p == Pipeline.SILO_READINGS) {
      return col("silo_id").equalTo(lit(partial.getInt(0))).and(hour.equalTo(lit(partial.getTimestamp(1))));
    }
    Instant bucketHour = Times.hourFloor(partial.getTimestamp(3).toInstant());
    return col("record_type").equalTo(lit(partial.getString(0)))
        .and(col("account_id").equalTo(lit(partial.getString(1))))
        .and(hour.equalTo(lit(Timestamp.from(bucketHour))));
  }

  /** The column holding each partial's hour (the 60-minute bucket for counts: every bucket lies in one hour). */
  public static String timeColumn(Pipeline p) {
    return p == Pipeline.SILO_READINGS ? "hour_start" : "bucket_start";
  }
}
