package io.siloreports.store;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A report's finalized hours straight from MySQL in sheet order: the primary key is (silo_id, hour_start), so
 * {@code ORDER BY silo_id, hour_start} is a walk of the index, and Connector/J streams the rows one at a time
 * (fetch size {@code Integer.MIN_VALUE}) instead of holding the result. A silo list that is not ascending is read
 * as one query per ascending run of it. All queries run in one read-only transaction with a consistent snapshot, so
 * the report sees every silo as of one moment, like a single statement would.
 */
final class MySqlHourlyRows implements AggregateStore.HourlyRowsInOrder {
  private static final String COLUMNS =
      "SELECT silo_id, hour_start, sum_exact, min_exact, max_exact, record_count, late_count, revised_at"
          + " FROM silo_hourly_aggregates WHERE hour_start >= ? AND hour_start < ?";

  private final Jdbc db;
  private final Connection connection;
  private final Instant from;
  private final Instant to;
  private final List<Integer> silos;
  private final List<List<Integer>> runs;
  private int nextRun;
  private PreparedStatement statement;
  private ResultSet rows;
  private Row next;
  private boolean done;
  private final long batchId;

  MySqlHourlyRows(Jdbc db, List<Integer> silos, Instant from, Instant to) throws SQLException {
    this.db = db;
    this.from = from;
    this.to = to;
    connection = db.connect();
    try {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      try (Statement s = connection.createStatement()) {
        s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      }
      this.batchId = committedBatch();
      this.silos = silos.isEmpty() ? silosWithRows() : List.copyOf(silos);
      this.runs = silos.isEmpty() ? List.of(List.of()) : ascendingRuns(silos);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public List<Integer> silos() {
    return silos;
  }

  @Override
  public long batchId() {
    return batchId;
  }

  private long committedBatch() throws SQLException {
    try (PreparedStatement st = connection.prepareStatement(
        "SELECT last_batch_id FROM aggregation_progress WHERE pipeline = ?")) {
      st.setString(1, io.siloreports.model.Pipeline.SILO_READINGS.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  private List<Integer> silosWithRows() throws SQLException {
    List<Integer> out = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement(
        "SELECT DISTINCT silo_id FROM silo_hourly_aggregates WHERE hour_start >= ? AND hour_start < ?"
            + " ORDER BY silo_id")) {
      Jdbc.setUtc(st, 1, from);
      Jdbc.setUtc(st, 2, to);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
      }
    }
    return out;
  }

  /** [5, 6, 9, 2, 3] -> [[5, 6, 9], [2, 3]]: each run is one query in key order. */
  static List<List<Integer>> ascendingRuns(List<Integer> silos) {
    List<List<Integer>> runs = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    for (int s : silos) {
      if (!run.isEmpty() && s <= run.get(run.size() - 1)) {
        runs.add(run);
        run = new ArrayList<>();
      }
      run.add(s);
    }
    if (!run.isEmpty()) {
      runs.add(run);
    }
    return runs;
  }

  @Override
  public boolean hasNext() {
    try {
      while (next == null && !done) {
        if (rows == null) {
          if (nextRun == runs.size()) {
            done = true;
            break;
          }
          open(runs.get(nextRun++));
        }
        if (rows.next()) {
          next = RowFactory.create(rows.getInt(1), Timestamp.from(Jdbc.getUtc(rows, 2)), rows.getBigDecimal(3),
              rows.getBigDecimal(4), rows.getBigDecimal(5), rows.getLong(6), rows.getLong(7),
              rows.getObject(8) == null ? null : Timestamp.from(Jdbc.getUtc(rows, 8)));
        } else {
          rows.close();
          statement.close();
          rows = null;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(db.failure("reading the report's hourly aggregates", e), e);
    }
    return next != null;
  }

  private void open(List<Integer> run) throws SQLException {
    String sql = COLUMNS + (run.isEmpty() ? ""
        : run.get(run.size() - 1) - run.get(0) == run.size() - 1
            ? " AND silo_id BETWEEN " + run.get(0) + " AND " + run.get(run.size() - 1)
            : " AND silo_id IN (" + run.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")
        + " ORDER BY silo_id, hour_start";
    statement = connection.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    statement.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream row by row
    Jdbc.setUtc(statement, 1, from);
    Jdbc.setUtc(statement, 2, to);
    rows = statement.executeQuery();
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = next;
    next = null;
    return r;
  }

  /** Ends the read; a read stopped early is cancelled on the server instead of drained. */
  @Override
  public void close() {
    try {
      if (rows != null && statement != null) {
        statement.cancel();
      }
    } catch (SQLException e) {
      // closing the connection below ends the query all the same
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing was written; the server drops the transaction with the connection
    }
  }
}
