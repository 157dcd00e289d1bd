package io.siloreports.store;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
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
 *
 * <p>The backfill's {@link #replaceRange} deletes a range of final hours and inserts absolute rows in one
 * transaction at READ COMMITTED. With binary logging on, MySQL then needs {@code binlog_format} ROW or MIXED (the
 * defaults of MySQL 8, MariaDB and RDS). Migration V3 indexes {@code bucket_counts(bucket_start)} so the range is a
 * range scan, not a table scan.
 */
public final class MySqlAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlAggregateStore.class);
  private static final int MAX_ATTEMPTS = 5;

  private final SparkSession spark;
  private final Jdbc db;
  private final int readPartitions;
  private final MySqlProgressStore progress;

  public MySqlAggregateStore(SparkSession spark, Jdbc db, int readPartitions, MySqlProgressStore progress) {
    this.spark = spark;
    this.db = db;
    this.readPartitions = readPartitions;
    this.progress = progress;
  }

  @Override
  public String describe() {
    return "MySQL " + db.redactedUrl();
  }

  @Override
  public void commit(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress next) {
    db.inTransaction(Jdbc.DEFAULT_ISOLATION, MAX_ATTEMPTS, "commit batch " + next.batchId() + " of " + pipeline.id,
        c -> {
          Long committed = progress.lockBatchId(c, pipeline);
          if (committed != null && committed >= next.batchId()) {
            c.rollback();
            LOG.info("{} batch {}: already committed in MySQL (last batch {}), skipping the replay",
                pipeline.id, next.batchId(), committed);
            return null;
          }
          Timestamp now = Timestamp.from(next.updatedAt());
          long merged = MySqlAggregateRows.write(c, pipeline,
              MySqlAggregateRows.inKeyOrder(pipeline, partials).toLocalIterator(), now, MySqlAggregateRows.Mode.MERGE);
          long quarantined = MySqlAggregateRows.insertQuarantine(c, quarantine.toLocalIterator());
          progress.write(c, next);
          LOG.debug("{} batch {}: merged {} keys, quarantined {} in MySQL", pipeline.id, next.batchId(), merged,
              quarantined);
          return null;
        });
  }

  @Override
  public void requireRangeReplace() {}

  @Override
  public Replaced replaceRange(Replacement chunk) {
    // READ COMMITTED: the range DELETE locks only the rows it deletes, never gaps or scanned rows of the open hours
    // the stream is writing meanwhile (at REPEATABLE READ a DELETE run as a table scan locks every row it scans).
    Replaced done = db.inTransaction(Connection.TRANSACTION_READ_COMMITTED, MAX_ATTEMPTS,
        "replace " + chunk.pipeline().id + " [" + chunk.from() + ", " + chunk.to() + ")", c -> {
          Replaced r = replaceOnce(c, chunk);
          if (r.skipped()) {
            c.rollback(); // nothing written; the commit that follows is empty
          }
          return r;
        });
    return done;
  }

  private Replaced replaceOnce(Connection c, Replacement chunk) throws SQLException {
    Pipeline p = chunk.pipeline();
    Instant fb = progress.finalizedBefore(c, p);
    if (fb == null ? !chunk.allowUnfinalized() : chunk.to().isAfter(fb)) {
      throw new IllegalStateException(p.id + "'s finalized_before is now " + fb + ", before the end of"
          + " the chunk " + chunk.to() + ": was the stream's progress reset while the backfill ran? Nothing of this"
          + " chunk was written.");
    }
    String time = Aggregations.timeColumn(p);
    String range = " WHERE " + time + " >= ? AND " + time + " < ?";
    // Every bucket of an event lies in its hour, so the 60-minute buckets count each event once.
    long stored = single(c, "SELECT COALESCE(SUM(record_count), 0) FROM " + p.table + range
        + (p == Pipeline.SILO_READINGS ? "" : " AND bucket_minutes = 60"), chunk.from(), chunk.to());
    if (chunk.validRecords() < stored && !chunk.allowFewerRecords()) {
      return new Replaced(0, true, stored);
    }
    update(c, "DELETE FROM " + p.table + range, chunk.from(), chunk.to());
    long rows = MySqlAggregateRows.write(c, p, MySqlAggregateRows.inKeyOrder(p, chunk.partials()).toLocalIterator(),
        Timestamp.from(chunk.now()), MySqlAggregateRows.Mode.INSERT);
    update(c, "DELETE FROM quarantine WHERE pipeline = ? AND batch_id = " + BACKFILL_BATCH_ID
        + " AND event_ts >= ? AND event_ts < ?", p.id, chunk.from(), chunk.to());
    if (chunk.quarantine() != null) {
      MySqlAggregateRows.insertQuarantine(c, chunk.quarantine().toLocalIterator());
    }
    return new Replaced(rows, false, stored);
  }

  @Override
  public void replaceUntimedQuarantine(Pipeline pipeline, List<String> sources, Dataset<Row> rows) {
    db.inTransaction(Connection.TRANSACTION_READ_COMMITTED, 1, "write the untimed bad records of " + pipeline.id,
        c -> {
          try (PreparedStatement st = c.prepareStatement("DELETE FROM quarantine WHERE pipeline = ? AND batch_id = "
              + BACKFILL_BATCH_ID + " AND event_ts IS NULL AND source <=> ?")) {
            for (String s : sources) {
              st.setString(1, pipeline.id);
              st.setString(2, MySqlAggregateRows.sourceColumn(s));
              st.addBatch();
            }
            st.executeBatch();
          }
          MySqlAggregateRows.insertQuarantine(c, rows.toLocalIterator());
          return null;
        });
  }

  private static long single(Connection c, String sql, Instant from, Instant to) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      Jdbc.setUtc(st, 1, from);
      Jdbc.setUtc(st, 2, to);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof Instant t) {
          Jdbc.setUtc(st, i + 1, t);
        } else {
          st.setObject(i + 1, params[i]);
        }
      }
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
    // pipeline.id is one of the enum's constant ids, not input
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

}
