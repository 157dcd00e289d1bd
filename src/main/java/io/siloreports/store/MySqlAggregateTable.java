package io.siloreports.store;

import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import org.apache.spark.sql.Row;

/**
 * One MySQL aggregates table as the sink and the backfill write it and the report reads it: its INSERT, the merging
 * form of the stream's commits, how a partial row (its aggregation's partial schema) is written as one row of values
 * in them, the SELECT that reads it back as partials, and the condition under which its rows count each record once.
 * One per aggregation.
 *
 * @param insert a plain insert, up to and including {@code VALUES } (a stored row with the same key is a
 *     duplicate-key error); rows of values follow, separated by commas
 * @param onDuplicate what follows the rows in the merging form: an update that adds to a stored row with the same key
 * @param selectPartials the table's rows under the names of the partial schema
 * @param countedOnce an {@code AND ...} condition (or nothing) that keeps the rows counting each record once
 * @param values how one partial row is written as one row of values of {@code insert}
 */
record MySqlAggregateTable(String insert, String onDuplicate, String selectPartials, String countedOnce,
    MySqlAggregateRows.Values values) {

  private static final String INSERT_HOURLY =
      "INSERT INTO silo_hourly_aggregates (silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
          + " record_count, sum_exact, min_exact, max_exact, late_count, revised_at, updated_at) VALUES ";

  /** The later of the stored and the new {@code revised_at}, either of which may be NULL. */
  private static final String LATER_REVISION =
      " revised_at = CASE WHEN VALUES(revised_at) IS NULL THEN revised_at WHEN revised_at IS NULL"
          + " THEN VALUES(revised_at) ELSE GREATEST(revised_at, VALUES(revised_at)) END,";

  private static final String MERGE_HOURLY =
      // MySQL and MariaDB apply these left to right, so the rounded columns see the merged exact ones.
      " ON DUPLICATE KEY UPDATE"
          + " sum_exact = sum_exact + VALUES(sum_exact),"
          + " record_count = record_count + VALUES(record_count),"
          + " min_exact = LEAST(min_exact, VALUES(min_exact)),"
          + " max_exact = GREATEST(max_exact, VALUES(max_exact)),"
          + " avg_value = ROUND(sum_exact / record_count, 2),"
          + " min_value = ROUND(min_exact, 2),"
          + " max_value = ROUND(max_exact, 2),"
          + " sum_value = ROUND(sum_exact, 2),"
          + " late_count = late_count + VALUES(late_count),"
          + LATER_REVISION
          + " updated_at = VALUES(updated_at)";

  private static final String INSERT_BUCKETS =
      "INSERT INTO bucket_counts (record_type, account_id, bucket_minutes, bucket_start, record_count, late_count,"
          + " revised_at, updated_at) VALUES ";

  private static final String MERGE_BUCKETS =
      " ON DUPLICATE KEY UPDATE record_count = record_count + VALUES(record_count),"
          + " late_count = late_count + VALUES(late_count),"
          + LATER_REVISION
          + " updated_at = VALUES(updated_at)";

  /** {@code silo_hourly_aggregates}: exact sum, min and max next to their rounding, by silo and hour. */
  static final MySqlAggregateTable HOURLY = new MySqlAggregateTable(INSERT_HOURLY, MERGE_HOURLY,
      "SELECT silo_id, hour_start, sum_exact AS sum_value, min_exact AS min_value, max_exact AS max_value,"
          + " record_count, late_count, revised_at FROM silo_hourly_aggregates",
      "", MySqlAggregateTable::hourlyValues);

  /** {@code bucket_counts}; every bucket of an event lies in its hour, so the 60-minute buckets count each once. */
  static final MySqlAggregateTable BUCKETS = new MySqlAggregateTable(INSERT_BUCKETS, MERGE_BUCKETS,
      "SELECT record_type, account_id, CAST(bucket_minutes AS SIGNED) AS bucket_minutes, bucket_start,"
          + " record_count, late_count, revised_at FROM bucket_counts",
      " AND bucket_minutes = 60", MySqlAggregateTable::bucketValues);

  /** The table of {@code pipeline}'s aggregates. */
  static MySqlAggregateTable of(Pipeline pipeline) {
    return PipelineDescriptor.of(pipeline).aggregation().match(HOURLY, BUCKETS);
  }

  /** What follows the rows of values: {@link #onDuplicate} to merge, nothing for a plain insert. */
  String tail(MySqlAggregateRows.Mode mode) {
    return mode == MySqlAggregateRows.Mode.MERGE ? onDuplicate : "";
  }

  /** The rounded columns from the exact values, as the merging update computes them (avg = ROUND(sum / count, 2)). */
  private static void hourlyValues(SqlLiterals v, Row r, String now) {
    String sum = SqlLiterals.decimal(r.getDecimal(2));
    String min = SqlLiterals.decimal(r.getDecimal(3));
    String max = SqlLiterals.decimal(r.getDecimal(4));
    long count = r.getLong(5);
    v.open().number(r.getInt(0)).time(r.getTimestamp(1))
        .raw("ROUND(" + sum + " / " + count + ", 2)").raw("ROUND(" + min + ", 2)").raw("ROUND(" + max + ", 2)")
        .raw("ROUND(" + sum + ", 2)").number(count).raw(sum).raw(min).raw(max)
        .number(r.isNullAt(6) ? 0 : r.getLong(6)).time(r.isNullAt(7) ? null : r.getTimestamp(7)).raw(now).close();
  }

  private static void bucketValues(SqlLiterals v, Row r, String now) {
    v.open().text(r.getString(0)).text(r.getString(1)).number(r.getInt(2)).time(r.getTimestamp(3))
        .number(r.getLong(4)).number(r.isNullAt(5) ? 0 : r.getLong(5))
        .time(r.isNullAt(6) ? null : r.getTimestamp(6)).raw(now).close();
  }
}
