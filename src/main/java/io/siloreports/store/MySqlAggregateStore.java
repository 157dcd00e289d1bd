package io.siloreports.store;

import io.siloreports.model.AggregationProgress;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.db.Jdbc;
import io.siloreports.model.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates in MySQL (or MariaDB), merged in place (SQL and binding in {@link MySqlAggregateRows}, shared with
 * the backfill). One micro-batch is one transaction on the driver:
 * lock the pipeline's {@code aggregation_progress} row, skip the batch if its id is already committed (a
 * replay), add the batch's partials to the stored ones ({@code sum = sum + new.sum}, {@code LEAST},
 * {@code GREATEST}, counts added, the rounded columns recomputed), insert its quarantine rows, move the
 * progress row, commit. The fence and the merges commit together, so a replay after a crash can neither
 * double count nor lose a batch. Partials are small (one row per key touched by the batch), so they are
 * streamed to the driver in key order (a fixed lock order avoids deadlocks between writers); deadlocks and
 * lock-wait timeouts are retried a bounded number of times.
 */
public final class MySqlAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlAggregateStore.class);
  private static final int MAX_ATTEMPTS = 5;

  private static final String UPSERT_PROGRESS =
      "INSERT INTO aggregation_progress (pipeline, last_batch_id, finalized_before, max_event_time, valid_total,"
          + " bad_total, late_total, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE last_batch_id = VALUES(last_batch_id),"
          + " finalized_before = VALUES(finalized_before), max_event_time = VALUES(max_event_time),"
          + " valid_total = VALUES(valid_total), bad_total = VALUES(bad_total), late_total = VALUES(late_total),"
          + " updated_at = VALUES(updated_at)";

  private final SparkSession spark;
  private final Jdbc db;
  private final int readPartitions;

  public MySqlAggregateStore(SparkSession spark, Jdbc db, int readPartitions) {
    this.spark = spark;
    this.db = db;
    this.readPartitions = readPartitions;
  }

  @Override
  public Optional<AggregationProgress> progress(Pipeline pipeline) {
    return readProgress(db, pipeline);
  }

  /** The committed progress row of a pipeline (no Spark needed). */
  public static Optional<AggregationProgress> readProgress(Jdbc db, Pipeline pipeline) {
    try (Connection c = db.connect();
        PreparedStatement st = c.prepareStatement(
            "SELECT last_batch_id, finalized_before, max_event_time, valid_total, bad_total, late_total, updated_at"
                + " FROM aggregation_progress WHERE pipeline = ?")) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(progressOf(pipeline, rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read aggregation_progress of " + pipeline.id + " from "
          + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void commit(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress progress) {
    db.inTransaction(Jdbc.DEFAULT_ISOLATION, MAX_ATTEMPTS, "commit batch " + progress.batchId() + " of " + pipeline.id,
        c -> {
          Long committed = lockProgress(c, pipeline);
          if (committed != null && committed >= progress.batchId()) {
            c.rollback();
            LOG.info("{} batch {}: already committed in MySQL (last batch {}), skipping the replay",
                pipeline.id, progress.batchId(), committed);
            return null;
          }
          Timestamp now = Timestamp.from(progress.updatedAt());
          long merged = MySqlAggregateRows.write(c, pipeline,
              MySqlAggregateRows.inKeyOrder(pipeline, partials).toLocalIterator(), now, MySqlAggregateRows.Mode.MERGE);
          long quarantined = MySqlAggregateRows.insertQuarantine(c, quarantine.toLocalIterator());
          writeProgress(c, progress);
          LOG.debug("{} batch {}: merged {} keys, quarantined {} in MySQL", pipeline.id, progress.batchId(), merged,
              quarantined);
          return null;
        });
  }

  /** Locks the progress row (creating it if missing) and returns the committed batch id, or null. */
  private static Long lockProgress(Connection c, Pipeline pipeline) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT last_batch_id FROM aggregation_progress WHERE pipeline = ? FOR UPDATE")) {
      st.setString(1, pipeline.id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private static void writeProgress(Connection c, AggregationProgress p) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(UPSERT_PROGRESS)) {
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

  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    String query =
        pipeline == Pipeline.SILO_READINGS
            ? "SELECT silo_id, hour_start, sum_exact AS sum_value, min_exact AS min_value, max_exact AS max_value,"
                + " record_count FROM silo_hourly_aggregates"
            : "SELECT record_type, account_id, CAST(bucket_minutes AS SIGNED) AS bucket_minutes, bucket_start,"
                + " record_count FROM bucket_counts";
    Dataset<Row> rows = read("(" + query + ") AS a", pipeline == Pipeline.SILO_READINGS ? "silo_id" : null);
    return conform(rows, Aggregations.partialSchema(pipeline));
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    Dataset<Row> rows = read("(SELECT pipeline, batch_id, kind, reason, event_ts, line, source, quarantined_at FROM quarantine"
        + " WHERE pipeline = '" + pipeline.id + "') AS q", null);
    return conform(rows, Quarantine.SCHEMA);
  }

  /** Spark maps JDBC columns to close types; cast them to the schema the rest of the code expects. */
  private static Dataset<Row> conform(Dataset<Row> rows, StructType schema) {
    return rows.select(java.util.Arrays.stream(schema.fields())
        .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
        .toArray(org.apache.spark.sql.Column[]::new));
  }

  /** A JDBC read; split on {@code partitionColumn} into {@code readPartitions} ranges when given. */
  private Dataset<Row> read(String table, String partitionColumn) {
    Properties props = db.sparkProperties();
    if (partitionColumn != null && readPartitions > 1) {
      long[] bounds = bounds(partitionColumn, table);
      if (bounds != null && bounds[1] > bounds[0]) {
        return spark.read().jdbc(db.url(), table, partitionColumn, bounds[0], bounds[1] + 1, readPartitions, props);
      }
    }
    return spark.read().jdbc(db.url(), table, props);
  }

  private long[] bounds(String column, String table) {
    try (Connection c = db.connect();
        PreparedStatement st = c.prepareStatement("SELECT MIN(" + column + "), MAX(" + column + ") FROM " + table);
        ResultSet rs = st.executeQuery()) {
      if (rs.next() && rs.getObject(1) != null) {
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
      return null;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read bounds of " + column + " from " + db.redactedUrl(), e);
    }
  }

  private static AggregationProgress progressOf(Pipeline pipeline, ResultSet rs) throws SQLException {
    return new AggregationProgress(pipeline, rs.getLong(1), Jdbc.getUtc(rs, 2), Jdbc.getUtc(rs, 3), rs.getLong(4),
        rs.getLong(5), rs.getLong(6), Jdbc.getUtc(rs, 7));
  }
}
