package io.siloreports.store;

import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code aggregation_progress} in MySQL: one row per pipeline. {@link #last} reads it on its own connection; the
 * aggregate store locks, checks and writes it inside its own transactions ({@link #lockBatchId}, {@link #write},
 * {@link #finalizedBefore}), so the fence and the rows it covers commit together.
 */
public final class MySqlProgressStore implements ProgressStore {
  private static final String COLUMNS =
      "last_batch_id, finalized_before, max_event_time, valid_total, bad_total, late_total, updated_at";
  private static final String UPSERT =
      "INSERT INTO aggregation_progress (pipeline, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE last_batch_id = VALUES(last_batch_id),"
          + " finalized_before = VALUES(finalized_before), max_event_time = VALUES(max_event_time),"
          + " valid_total = VALUES(valid_total), bad_total = VALUES(bad_total), late_total = VALUES(late_total),"
          + " updated_at = VALUES(updated_at)";

  private final Jdbc db;

  public MySqlProgressStore(Jdbc db) {
    this.db = db;
  }

  @Override
  public Optional<AggregationProgress> last(Pipeline pipeline) {
    try (Connection c = db.connect();
        PreparedStatement st = c.prepareStatement(
            "SELECT " + COLUMNS + " FROM aggregation_progress WHERE pipeline = ?")) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next()
            ? Optional.of(new AggregationProgress(pipeline, rs.getLong(1), Jdbc.getUtc(rs, 2), Jdbc.getUtc(rs, 3),
                rs.getLong(4), rs.getLong(5), rs.getLong(6), Jdbc.getUtc(rs, 7)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read aggregation_progress of " + pipeline.id + " from "
          + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "aggregation_progress in " + db.redactedUrl();
  }

  /** Locks the pipeline's row for the rest of the transaction and returns its committed batch id, or null. */
  Long lockBatchId(Connection c, Pipeline pipeline) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT last_batch_id FROM aggregation_progress WHERE pipeline = ? FOR UPDATE")) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  /** The committed finalized_before as seen inside a transaction; null when unset or when there is no row. */
  Instant finalizedBefore(Connection c, Pipeline pipeline) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT finalized_before FROM aggregation_progress WHERE pipeline = ?")) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Jdbc.getUtc(rs, 1) : null;
      }
    }
  }

  /** Writes the progress row inside the caller's transaction. */
  void write(Connection c, AggregationProgress p) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(UPSERT)) {
      st.setString(1, p.pipeline().id);
      st.setLong(2, p.batchId());
      Jdbc.setUtc(st, 3, p.finalizedBefore());
      Jdbc.setUtc(st, 4, p.maxEventTime());
      st.setLong(5, p.validTotal());
      st.setLong(6, p.badTotal());
      st.setLong(7, p.lateTotal());
      Jdbc.setUtc(st, 8, p.updatedAt());
      st.executeUpdate();
    }
  }
}
