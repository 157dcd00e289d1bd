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
 * aggregate store locks, checks and writes it inside its own transactions ({@link #lock}, {@link #write}), so the
 * fence and the rows it covers commit together.
 */
public final class MySqlProgressStore implements ProgressStore {
  static final String COLUMNS =
      "last_batch_id, finalized_before, max_event_time, valid_total, bad_total, late_total, too_late_total,"
          + " closed_before, source_position, updated_at";
  private static final String UPSERT =
      "INSERT INTO aggregation_progress (pipeline, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE last_batch_id = VALUES(last_batch_id),"
          + " finalized_before = VALUES(finalized_before), max_event_time = VALUES(max_event_time),"
          + " valid_total = VALUES(valid_total), bad_total = VALUES(bad_total), late_total = VALUES(late_total),"
          + " too_late_total = VALUES(too_late_total), closed_before = VALUES(closed_before),"
          + " source_position = VALUES(source_position), updated_at = VALUES(updated_at)";

  private final Jdbc db;

  public MySqlProgressStore(Jdbc db) {
    this.db = db;
  }

  @Override
  public Optional<AggregationProgress> last(Pipeline pipeline) {
    try (Connection c = db.connect()) {
      return read(c, pipeline, false);
    } catch (SQLException e) {
      throw new IllegalStateException(db.failure("reading aggregation_progress of " + pipeline.id, e), e);
    }
  }

  /** The committed row as seen by the caller's transaction (locked for the rest of it when {@code lock}). */
  static Optional<AggregationProgress> read(Connection c, Pipeline pipeline, boolean lock) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM aggregation_progress WHERE pipeline = ?" + (lock ? " FOR UPDATE" : ""))) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(progressOf(pipeline, rs)) : Optional.empty();
      }
    }
  }

  private static AggregationProgress progressOf(Pipeline pipeline, ResultSet rs) throws SQLException {
    return new AggregationProgress(pipeline, rs.getLong(1), Jdbc.getUtc(rs, 2), Jdbc.getUtc(rs, 3), rs.getLong(4),
        rs.getLong(5), rs.getLong(6), rs.getLong(7), Jdbc.getUtc(rs, 8), rs.getString(9), Jdbc.getUtc(rs, 10));
  }

  @Override
  public String describe() {
    return "aggregation_progress in " + db.redactedUrl();
  }

  /** Locks the pipeline's row for the rest of the transaction and returns it (empty when there is none). */
  Optional<AggregationProgress> lock(Connection c, Pipeline pipeline) throws SQLException {
    return read(c, pipeline, true);
  }

  /**
   * Closes every hour before {@code before} for revision, in the caller's transaction: from the stream's next commit
   * on, records for those hours are too late. Never moves {@code closed_before} back. Returns the committed progress
   * as it is now (empty when the pipeline has none: then there is nothing to close).
   */
  Optional<AggregationProgress> closeBefore(Connection c, Pipeline pipeline, Instant before) throws SQLException {
    Optional<AggregationProgress> p = lock(c, pipeline);
    if (p.isPresent() && (p.get().closedBefore() == null || p.get().closedBefore().isBefore(before))) {
      try (PreparedStatement st = c.prepareStatement(
          "UPDATE aggregation_progress SET closed_before = ? WHERE pipeline = ?")) {
        Jdbc.setUtc(st, 1, before);
        st.setString(2, pipeline.id);
        st.executeUpdate();
      }
      return read(c, pipeline, false);
    }
    return p;
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
      st.setLong(8, p.tooLateTotal());
      Jdbc.setUtc(st, 9, p.closedBefore());
      st.setString(10, p.sourcePosition());
      Jdbc.setUtc(st, 11, p.updatedAt());
      st.executeUpdate();
    }
  }
}
