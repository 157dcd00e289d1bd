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

  /** The column holding each partial's hour (the 60-minute bucket for counts: every bucket lies in one hour). */
  public static String timeColumn(Pipeline p) {
    return p == Pipeline.SILO_READINGS ? "hour_start" : "bucket_start";
  }
}
