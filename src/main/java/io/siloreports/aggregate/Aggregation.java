package io.siloreports.aggregate;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * One pipeline's aggregation as a monoid, in the forms the stream, the sinks and the backfill use alike: Spark's
 * (partials of valid records, merge), plain Java's ({@link #newCombiner}) and the facts about its partial rows.
 * {@link HourlyAggregates#AGGREGATION} and {@link BucketCounts#AGGREGATION} are the two there are.
 */
public interface Aggregation {

  /** The partial rows' schema: the key columns, then the values that merge. */
  StructType partialSchema();

  /** The partial rows' key, in key order (the order the store writes them in, a fixed lock order). */
  List<String> keyColumns();

  /** The partial's time column; its hour is the hour of every record in it (a bucket never spans two hours). */
  String timeColumn();

  /** The bucket sizes counted, in minutes; none for aggregates by hour. */
  List<Integer> bucketMinutes();

  /** Valid parsed records -> partials, one row per key; none of them late. */
  Dataset<Row> partials(Dataset<Row> validRecords);

  /** Partials where {@code late} marks the records merged into hours already final, revised at {@code at}. */
  Dataset<Row> partials(Dataset<Row> validRecords, Column late, Instant at);

  /** Partials with repeated keys -> one partial per key. */
  Dataset<Row> merge(Dataset<Row> partials);

  /** An empty plain-Java combiner of this aggregation's records and partials. */
  PartialCombiner newCombiner();

  /**
   * A check of one batch's merged partials against the number of records merged into them, when the aggregation has
   * one (bucket counts: every size counts each record once); empty when it has none.
   */
  Optional<Check> check(List<Row> partials, long records);

  /**
   * {@code hourly} for aggregates by hour, {@code buckets} for bucket counts: for code outside this package that keeps
   * one thing per kind of aggregation (a table's SQL). Exhaustive: a new kind adds a parameter, so every caller says
   * what it needs for it.
   */
  <T> T match(T hourly, T buckets);

  /** The outcome of {@link #check}: whether it held, and the totals as the log says them. */
  record Check(boolean held, String totals) {}
}
