package io.siloreports.store;

import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * One MySQL aggregates table as the sink and the backfill write it and the report reads it: its INSERT, the merging
 * form of the stream's commits, how a partial row (its aggregation's partial schema) binds to them, the SELECT that
 * reads it back as partials, and the condition under which its rows count each record once. One per aggregation.
 *
 * @param insert a plain insert of one row (a stored row with the same key is a duplicate-key error)
 * @param merge an insert that adds to a stored row with the same key
 * @param selectPartials the table's rows under the names of the partial schema
 * @param countedOnce an {@code AND ...} condition (or nothing) that keeps the rows counting each record once
 * @param binder how one partial row fills {@code insert} or {@code merge}
 */
record MySqlAggregateTable(String insert, String merge, String selectPartials, String countedOnce,
    MySqlAggregateRows.Binder binder) {

  private static final String INSERT_HOURLY =
      "INSERT INTO silo_hourly_aggregates (silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
          + " record_count, sum_exact, min_exact, max_exact, late_count, revised_at, updated_at)"
          + " VALUES (?, ?, ROUND(? / ?, 2), ROUND(?, 2), ROUND(?, 2), ROUND(?, 2), ?, ?, ?, ?, ?, ?, ?)";

  /** The later of the stored and the new {@code revised_at}, either of which may be NULL. */
  private static final String LATER_REVISION =
      " revised_at = CASE WHEN VALUES(revised_at) IS NULL THEN revised_at WHEN revised_at IS NULL"
          + " THEN VALUES(revised_at) ELSE GREATEST(revised_at, VALUES(revised_at)) END,";

  private static final String MERGE_HOURLY =
      INSERT_HOURLY
          // MySQL and MariaDB apply these left to right, so the rounded columns see the merged exact ones.
          + " ON DUPLICATE KEY UPDATE"
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
          + " revised_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String MERGE_BUCKETS =
      INSERT_BUCKETS
          + " ON DUPLICATE KEY UPDATE record_count = record_count + VALUES(record_count),"
          + " late_count = late_count + VALUES(late_count),"
          + LATER_REVISION
          + " updated_at = VALUES(updated_at)";

  /** {@code silo_hourly_aggregates}: exact sum, min and max next to their rounding, by silo and hour. */
  static final MySqlAggregateTable HOURLY = new MySqlAggregateTable(INSERT_HOURLY, MERGE_HOURLY,
      "SELECT silo_id, hour_start, sum_exact AS sum_value, min_exact AS min_value, max_exact AS max_value,"
          + " record_count, late_count, revised_at FROM silo_hourly_aggregates",
      "", MySqlAggregateTable::bindHourly);

  /** {@code bucket_counts}; every bucket of an event lies in its hour, so the 60-minute buckets count each once. */
  static final MySqlAggregateTable BUCKETS = new MySqlAggregateTable(INSERT_BUCKETS, MERGE_BUCKETS,
      "SELECT record_type, account_id, CAST(bucket_minutes AS SIGNED) AS bucket_minutes, bucket_start,"
          + " record_count, late_count, revised_at FROM bucket_counts",
      " AND bucket_minutes = 60", MySqlAggregateTable::bindBuckets);

  /** The table of {@code pipeline}'s aggregates. */
  static MySqlAggregateTable of(Pipeline pipeline) {
    return PipelineDescriptor.of(pipeline).aggregation().match(HOURLY, BUCKETS);
  }

  /** {@link #insert} or {@link #merge}. */
  String sql(MySqlAggregateRows.Mode mode) {
    return mode == MySqlAggregateRows.Mode.MERGE ? merge : insert;
  }

  private static void bindHourly(PreparedStatement st, org.apache.spark.sql.Row r, Timestamp now)
      throws SQLException {
    BigDecimal sum = r.getDecimal(2);
    long count = r.getLong(5);
    st.setInt(1, r.getInt(0));
    st.setObject(2, MySqlAggregateRows.utc(r.getTimestamp(1)));
    st.setBigDecimal(3, sum);
    st.setLong(4, count);
    st.setBigDecimal(5, r.getDecimal(3));
    st.setBigDecimal(6, r.getDecimal(4));
    st.setBigDecimal(7, sum);
    st.setLong(8, count);
    st.setBigDecimal(9, sum);
    st.setBigDecimal(10, r.getDecimal(3));
    st.setBigDecimal(11, r.getDecimal(4));
    st.setLong(12, r.isNullAt(6) ? 0 : r.getLong(6));
    MySqlAggregateRows.setUtcOrNull(st, 13, r.isNullAt(7) ? null : r.getTimestamp(7));
    st.setObject(14, MySqlAggregateRows.utc(now));
  }

  private static void bindBuckets(PreparedStatement st, org.apache.spark.sql.Row r, Timestamp now)
      throws SQLException {
    st.setString(1, r.getString(0));
    st.setString(2, r.getString(1));
    st.setInt(3, r.getInt(2));
    st.setObject(4, MySqlAggregateRows.utc(r.getTimestamp(3)));
    st.setLong(5, r.getLong(4));
    st.setLong(6, r.isNullAt(5) ? 0 : r.getLong(5));
    MySqlAggregateRows.setUtcOrNull(st, 7, r.isNullAt(6) ? null : r.getTimestamp(6));
    st.setObject(8, MySqlAggregateRows.utc(now));
  }
}
