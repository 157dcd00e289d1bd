package io.siloreports.sink;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.db.Jdbc;
import io.siloreports.ingest.Pipeline;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates in MySQL (or MariaDB), merged in place. One micro-batch is one transaction on the driver:
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
  private static final int BATCH_ROWS = 1000;
  private static final int MAX_ATTEMPTS = 5;

  private static final String UPSERT_HOURLY =
      "INSERT INTO silo_hourly_aggregates (silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
          + " record_count, sum_exact, min_exact, max_exact, updated_at)"
          + " VALUES (?, ?, ROUND(? / ?, 2), ROUND(?, 2), ROUND(?, 2), ROUND(?, 2), ?, ?, ?, ?, ?)"
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
          + " updated_at = VALUES(updated_at)";

  private static final String UPSERT_BUCKETS =
      "INSERT INTO bucket_counts (record_type, account_id, bucket_minutes, bucket_start, record_count, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE record_count = record_count + VALUES(record_count),"
          + " updated_at = VALUES(updated_at)";

  private static final String INSERT_QUARANTINE =
      "INSERT INTO quarantine (pipeline, batch_id, kind, reason, event_ts, line, source, quarantined_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

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
    for (int attempt = 1; ; attempt++) {
      try {
        commitOnce(pipeline, partials, quarantine, progress);
        return;
      } catch (SQLException e) {
        if (!Jdbc.isRetryable(e) || attempt >= MAX_ATTEMPTS) {
          throw new IllegalStateException("cannot commit batch " + progress.batchId() + " of " + pipeline.id
              + " to " + db.redactedUrl() + " (attempt " + attempt + "): " + e.getMessage(), e);
        }
        LOG.warn("{} batch {}: {} (attempt {} of {}), retrying", pipeline.id, progress.batchId(), e.getMessage(),
            attempt, MAX_ATTEMPTS);
        sleep(200L * attempt);
      }
    }
  }

  private void commitOnce(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress progress)
      throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        Long committed = lockProgress(c, pipeline);
        if (committed != null && committed >= progress.batchId()) {
          c.rollback();
          LOG.info("{} batch {}: already committed in MySQL (last batch {}), skipping the replay",
              pipeline.id, progress.batchId(), committed);
          return;
        }
        Timestamp now = Timestamp.from(progress.updatedAt());
        long merged = pipeline == Pipeline.SILO_READINGS
            ? upsertHourly(c, partials.orderBy("silo_id", "hour_start").toLocalIterator(), now)
            : upsertBuckets(c, partials.orderBy("record_type", "account_id", "bucket_minutes", "bucket_start")
                .toLocalIterator(), now);
        long quarantined = insertQuarantine(c, quarantine.toLocalIterator());
        writeProgress(c, progress);
        c.commit();
        LOG.debug("{} batch {}: merged {} keys, quarantined {} in MySQL", pipeline.id, progress.batchId(), merged,
            quarantined);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
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

  private static long upsertHourly(Connection c, Iterator<Row> rows, Timestamp now) throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(UPSERT_HOURLY)) {
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
        st.setObject(12, utc(now));
        st.addBatch();
        if (++n % BATCH_ROWS == 0) {
          st.executeBatch();
        }
      }
      st.executeBatch();
    }
    return n;
  }

  private static long upsertBuckets(Connection c, Iterator<Row> rows, Timestamp now) throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(UPSERT_BUCKETS)) {
      while (rows.hasNext()) {
        Row r = rows.next();
        st.setString(1, r.getString(0));
        st.setString(2, r.getString(1));
        st.setInt(3, r.getInt(2));
        st.setObject(4, utc(r.getTimestamp(3)));
        st.setLong(5, r.getLong(4));
        st.setObject(6, utc(now));
        st.addBatch();
        if (++n % BATCH_ROWS == 0) {
          st.executeBatch();
        }
      }
      st.executeBatch();
    }
    return n;
  }

  private static long insertQuarantine(Connection c, Iterator<Row> rows) throws SQLException {
    long n = 0;
    try (PreparedStatement st = c.prepareStatement(INSERT_QUARANTINE)) {
      while (rows.hasNext()) {
        Row r = rows.next();
        st.setString(1, r.getString(0));
        st.setLong(2, r.getLong(1));
        st.setString(3, r.getString(2));
        String reason = r.getString(3);
        st.setString(4, reason.length() > 512 ? reason.substring(0, 509) + "..." : reason);
        if (r.isNullAt(4)) {
          st.setNull(5, Types.TIMESTAMP);
        } else {
          st.setObject(5, utc(r.getTimestamp(4)));
        }
        st.setString(6, r.getString(5));
        String source = r.getString(6);
        st.setString(7, source == null || source.length() <= 512 ? source : source.substring(0, 512));
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

  private static void writeProgress(Connection c, AggregationProgress p) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(UPSERT_PROGRESS)) {
      st.setString(1, p.pipeline().id);
      st.setLong(2, p.batchId());
      setInstant(st, 3, p.finalizedBefore());
      setInstant(st, 4, p.maxEventTime());
      st.setLong(5, p.validTotal());
      st.setLong(6, p.badTotal());
      st.setLong(7, p.lateTotal());
      setInstant(st, 8, p.updatedAt());
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
    // Spark maps the columns to close types; cast to the partial schema the rest of the code expects.
    return rows.select(
        java.util.Arrays.stream(Aggregations.partialSchema(pipeline).fields())
            .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
            .toArray(org.apache.spark.sql.Column[]::new));
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    return read("(SELECT pipeline, batch_id, kind, reason, event_ts, line, source, quarantined_at FROM quarantine"
        + " WHERE pipeline = '" + pipeline.id + "') AS q", null)
        .select(java.util.Arrays.stream(Quarantine.SCHEMA.fields())
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
    return new AggregationProgress(pipeline, rs.getLong(1), instant(rs, 2), instant(rs, 3), rs.getLong(4),
        rs.getLong(5), rs.getLong(6), instant(rs, 7));
  }

  private static Instant instant(ResultSet rs, int i) throws SQLException {
    LocalDateTime t = rs.getObject(i, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static void setInstant(PreparedStatement st, int i, Instant t) throws SQLException {
    if (t == null) {
      st.setNull(i, Types.TIMESTAMP);
    } else {
      st.setObject(i, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
  }

  private static LocalDateTime utc(Timestamp t) {
    return LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying", e);
    }
  }
}
