package io.siloreports.store;

import io.siloreports.db.Jdbc;
import io.siloreports.model.Pipeline;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The SQL and the JDBC binding of aggregate and quarantine rows in MySQL, shared by the stream's sink
 * ({@link MySqlAggregateStore}, which merges micro-batch partials into the stored rows) and the backfill (which
 * deletes a range and inserts absolute rows). Both write the same columns the same way: the exact sum, min and
 * max in {@code *_exact} (DECIMAL(38,10)), their HALF_UP rounding in the DECIMAL(12,2)/(18,2) columns, and
 * {@code avg_value = ROUND(sum / count, 2)}, computed by the server from the exact values.
 *
 * <p>Rows are sent in JDBC batches of {@value #BATCH_ROWS} ({@code rewriteBatchedStatements}, set by
 * {@code Jdbc}, turns them into multi-row statements); callers pass them in key order ({@link #inKeyOrder}).
 */
public final class MySqlAggregateRows {
  static final int BATCH_ROWS = 1000;

  /** How rows meet the stored ones. */
  public enum Mode {
    /** Add to a stored row with the same key (sum + sum, LEAST, GREATEST, count + count), else insert. */
    MERGE,
    /** Plain insert: a row with the same key already stored is an error (duplicate key). */
    INSERT
  }

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

  private static final String INSERT_QUARANTINE =
      "INSERT INTO quarantine (pipeline, batch_id, kind, reason, event_ts, line, source, quarantined_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

  /** Longest {@code reason} / {@code source} the quarantine table holds (VARCHAR(512)). */
  private static final int MAX_TEXT = 512;

  /**
   * Longest {@code line} kept, in characters: at most 4 MB in utf8mb4, within MEDIUMTEXT and the 16 MB packet of
   * MySQL's and MariaDB's defaults. A longer line is kept cut, with a marker saying how long it was.
   */
  static final int MAX_LINE = 1_000_000;

  private MySqlAggregateRows() {}

  /** A pipeline's partials sorted by key, the order rows are written in (a fixed lock order). */
  public static Dataset<Row> inKeyOrder(Pipeline p, Dataset<Row> partials) {
    String[] key = p == Pipeline.SILO_READINGS
        ? new String[] {"silo_id", "hour_start"}
        : new String[] {"record_type", "account_id", "bucket_minutes", "bucket_start"};
    return partials.orderBy(Arrays.stream(key).map(functions::col).toArray(Column[]::new));
  }

  /**
   * Writes partials of {@code pipeline} (its partial schema, one row per key, in {@link #inKeyOrder}) with
   * {@code updated_at = now}; returns how many rows it wrote.
   */
  public static long write(Connection c, Pipeline pipeline, Iterator<Row> partials,
      Timestamp now, Mode mode) throws SQLException {
    return pipeline == Pipeline.SILO_READINGS ? writeHourly(c, partials, now, mode) : writeBuckets(c, partials, now, mode);
  }

  private static long writeHourly(Connection c, Iterator<Row> rows, Timestamp now, Mode mode)
      throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(mode == Mode.MERGE ? MERGE_HOURLY : INSERT_HOURLY)) {
      while (rows.hasNext()) {
        Row r = rows.next();
        BigDecimal sum = r.getDecimal(2);
        long count = r.getLong(5);
        st.setInt(1, r.getInt(0));
        st.setObject(2, utc(r.getTimestamp(1)));
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
        setUtcOrNull(st, 13, r.isNullAt(7) ? null : r.getTimestamp(7));
        st.setObject(14, utc(now));
        st.addBatch();
        if (++n % BATCH_ROWS == 0) {
          st.executeBatch();
        }
      }
      st.executeBatch();
    }
    return n;
  }

  private static long writeBuckets(Connection c, Iterator<Row> rows, Timestamp now, Mode mode)
      throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(mode == Mode.MERGE ? MERGE_BUCKETS : INSERT_BUCKETS)) {
      while (rows.hasNext()) {
        Row r = rows.next();
        st.setString(1, r.getString(0));
        st.setString(2, r.getString(1));
        st.setInt(3, r.getInt(2));
        st.setObject(4, utc(r.getTimestamp(3)));
        st.setLong(5, r.getLong(4));
        st.setLong(6, r.isNullAt(5) ? 0 : r.getLong(5));
        setUtcOrNull(st, 7, r.isNullAt(6) ? null : r.getTimestamp(6));
        st.setObject(8, utc(now));
        st.addBatch();
        if (++n % BATCH_ROWS == 0) {
          st.executeBatch();
        }
      }
      st.executeBatch();
    }
    return n;
  }

  /** Inserts quarantine rows ({@link Quarantine#SCHEMA}); returns how many. */
  public static long insertQuarantine(Connection c, Iterator<Row> rows) throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(INSERT_QUARANTINE)) {
      while (rows.hasNext()) {
        Row r = rows.next();
        st.setString(1, r.getString(0));
        st.setLong(2, r.getLong(1));
        st.setString(3, r.getString(2));
        String reason = r.getString(3);
        st.setString(4, reason.length() > MAX_TEXT ? reason.substring(0, MAX_TEXT - 3) + "..." : reason);
        setUtcOrNull(st, 5, r.isNullAt(4) ? null : storable(r.getTimestamp(4)));
        st.setString(6, lineColumn(r.getString(5)));
        st.setString(7, sourceColumn(r.getString(6)));
        st.setObject(8, utc(r.getTimestamp(7)));
        st.addBatch();
        if (++n % BATCH_ROWS == 0) {
          st.executeBatch();
        }
      }
      st.executeBatch();
    }
    return n;
  }

  /** A quarantined line as the quarantine table stores it (cut to {@link #MAX_LINE} characters, marked). */
  static String lineColumn(String line) {
    if (line == null || line.length() <= MAX_LINE) {
      return line;
    }
    String marker = " [... cut: the line has " + line.length() + " characters]";
    return line.substring(0, MAX_LINE - marker.length()) + marker;
  }

  /** A record's source as the quarantine table stores it (cut to the column's length). */
  public static String sourceColumn(String source) {
    return source == null || source.length() <= MAX_TEXT ? source : source.substring(0, MAX_TEXT);
  }

  /** DATETIME's range; a bad record's time outside it is kept as NULL (its line still holds it). */
  private static final Instant DATETIME_MIN = Instant.parse("1000-01-01T00:00:00Z");
  private static final Instant DATETIME_END = Instant.parse("+10000-01-01T00:00:00Z");

  private static Timestamp storable(Timestamp t) {
    Instant i = t.toInstant();
    return i.isBefore(DATETIME_MIN) || !i.isBefore(DATETIME_END) ? null : t;
  }

  private static void setUtcOrNull(PreparedStatement st, int index, Timestamp t) throws SQLException {
    if (t == null) {
      st.setNull(index, Types.TIMESTAMP);
    } else {
      st.setObject(index, utc(t));
    }
  }

  /** A UTC wall-clock value for a DATETIME column (no time-zone conversion by the driver). */
  private static LocalDateTime utc(Timestamp t) {
    return Jdbc.utc(t.toInstant());
  }
}
