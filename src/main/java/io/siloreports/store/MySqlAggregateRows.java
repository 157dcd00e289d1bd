package io.siloreports.store;

import io.siloreports.db.Jdbc;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Iterator;
import java.util.List;
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
 * <p>What differs between the aggregates tables (their SQL and values) is each table's {@link MySqlAggregateTable}.
 * Aggregate rows go as multi-row statements of {@value #STATEMENT_ROWS} rows written as text ({@link SqlLiterals});
 * quarantine rows (arbitrary text) in JDBC batches of {@value #BATCH_ROWS}, which {@code rewriteBatchedStatements}
 * (set by {@code Jdbc}) turns into multi-row statements. Callers pass rows in key order ({@link #inKeyOrder}).
 */
public final class MySqlAggregateRows {
  static final int BATCH_ROWS = 1000;
  /** Aggregate rows per statement: about 0.5 MB of SQL, far below the servers' default max_allowed_packet. */
  static final int STATEMENT_ROWS = 2000;

  /** How rows meet the stored ones. */
  public enum Mode {
    /** Add to a stored row with the same key (sum + sum, LEAST, GREATEST, count + count), else insert. */
    MERGE,
    /** Plain insert: a row with the same key already stored is an error (duplicate key). */
    INSERT
  }

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
    List<String> key = PipelineDescriptor.of(p).aggregation().keyColumns();
    return partials.orderBy(key.stream().map(functions::col).toArray(Column[]::new));
  }

  /**
   * Writes partials of {@code pipeline} (its partial schema, one row per key, in {@link #inKeyOrder}) with
   * {@code updated_at = now}; returns how many rows it wrote.
   */
  public static long write(Connection c, Pipeline pipeline, Iterator<Row> partials,
      Timestamp now, Mode mode) throws SQLException {
    MySqlAggregateTable table = MySqlAggregateTable.of(pipeline);
    String at = SqlLiterals.datetime(now);
    String tail = table.tail(mode);
    StringBuilder sql = new StringBuilder(STATEMENT_ROWS * 300);
    SqlLiterals values = new SqlLiterals(sql);
    long n = 0;
    int inStatement = 0;
    try (Statement st = c.createStatement()) {
      while (partials.hasNext()) {
        if (inStatement == 0) {
          sql.setLength(0);
          sql.append(table.insert());
        } else {
          sql.append(", ");
        }
        table.values().append(values, partials.next(), at);
        n++;
        if (++inStatement == STATEMENT_ROWS) {
          st.executeUpdate(sql.append(tail).toString());
          inStatement = 0;
        }
      }
      if (inStatement > 0) {
        st.executeUpdate(sql.append(tail).toString());
      }
    }
    return n;
  }

  /** Inserts quarantine rows ({@link Quarantine#SCHEMA}); returns how many. */
  public static long insertQuarantine(Connection c, Iterator<Row> rows) throws SQLException {
    return inBatches(c, INSERT_QUARANTINE, rows, (st, r) -> {
      st.setString(1, r.getString(0));
      st.setLong(2, r.getLong(1));
      st.setString(3, r.getString(2));
      String reason = r.getString(3);
      st.setString(4, reason.length() > MAX_TEXT ? reason.substring(0, MAX_TEXT - 3) + "..." : reason);
      setUtcOrNull(st, 5, r.isNullAt(4) ? null : storable(r.getTimestamp(4)));
      st.setString(6, lineColumn(r.getString(5)));
      st.setString(7, sourceColumn(r.getString(6)));
      st.setObject(8, utc(r.getTimestamp(7)));
    });
  }

  /** How one partial row is written as a row of values of an aggregates table's INSERT, {@code updated_at = now}. */
  @FunctionalInterface
  interface Values {
    void append(SqlLiterals values, Row row, String now);
  }

  /** How one row fills a statement. */
  @FunctionalInterface
  private interface RowBinding {
    void bind(PreparedStatement st, Row row) throws SQLException;
  }

  /** {@code rows} through {@code sql}, in JDBC batches of {@value #BATCH_ROWS}; returns how many. */
  private static long inBatches(Connection c, String sql, Iterator<Row> rows, RowBinding binding)
      throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(sql)) {
      while (rows.hasNext()) {
        binding.bind(st, rows.next());
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

  static void setUtcOrNull(PreparedStatement st, int index, Timestamp t) throws SQLException {
    if (t == null) {
      st.setNull(index, Types.TIMESTAMP);
    } else {
      st.setObject(index, utc(t));
    }
  }

  /** A UTC wall-clock value for a DATETIME column (no time-zone conversion by the driver). */
  static LocalDateTime utc(Timestamp t) {
    return Jdbc.utc(t.toInstant());
  }
}
