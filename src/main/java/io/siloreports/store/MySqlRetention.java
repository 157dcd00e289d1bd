package io.siloreports.store;

import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link RetentionPolicy} to the MySQL aggregates ({@code silo-reports retention}, safe while the stream and
 * a backfill run): per bucket size, daily partitions are added ahead of today, partitions holding only expired rows
 * are dropped (no row-by-row delete, no undo log), and the expired rows left in the partition of the cut-off day are
 * deleted in small chunks; quarantined records older than their age are deleted in chunks. Bucket rows go only before
 * the pipeline's {@code closed_before} (see {@link RetentionPolicy#bucketCutoff}), so no micro-batch merges into them.
 * {@code silo_hourly_aggregates} (what reports read) is kept.
 */
public final class MySqlRetention {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlRetention.class);
  static final int CHUNK = 20_000;
  /** DDL waits this long (seconds) for the stream's open transaction on the table, then fails instead of queuing. */
  static final int LOCK_WAIT_SECONDS = 60;

  private final Jdbc db;
  private final RetentionPolicy policy;

  public MySqlRetention(Jdbc db, RetentionPolicy policy) {
    this.db = db;
    this.policy = policy;
  }

  /**
   * What one run did.
   *
   * @param cutoffs per bucket size, the bucket start before which its rows are gone (sizes without one: none went)
   */
  public record Result(Map<Integer, Instant> cutoffs, int partitionsAdded, List<String> partitionsDropped,
      long bucketRowsDeleted, long quarantineRowsDeleted) {
    public String describe() {
      return "bucket counts cut at " + cutoffs + ": " + partitionsDropped.size() + " partition(s) dropped, "
          + bucketRowsDeleted + " row(s) deleted, " + partitionsAdded + " partition(s) added; "
          + quarantineRowsDeleted + " quarantined record(s) deleted";
    }
  }

  public Result apply(Instant now) {
    try (Connection c = db.connect()) {
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS);
      }
      Optional<AggregationProgress> committed = MySqlProgressStore.read(c, Pipeline.ACTIVITY_EVENTS, false);
      LocalDate lastBound = MySqlBucketPartitions.day(now).plusDays(policy.partitionDaysAhead());
      int added = 0;
      List<String> dropped = new ArrayList<>();
      long deleted = 0;
      Map<Integer, Instant> cutoffs = new TreeMap<>();
      for (Map.Entry<Integer, java.time.Duration> size : policy.bucketAges().entrySet()) {
        int minutes = size.getKey();
        Instant cutoff = policy.bucketCutoff(minutes, now, committed);
        List<MySqlBucketPartitions.Daily> existing = dailyPartitions(c);
        // a size's first daily partition takes every older row: bounded by the cut-off, it can go at once
        Optional<String> split = MySqlBucketPartitions.addDays(existing, minutes,
            MySqlBucketPartitions.day(cutoff != null ? cutoff : now.minus(size.getValue())), lastBound);
        if (split.isPresent()) {
          execute(c, split.get());
          added += dailyPartitions(c).size() - existing.size();
        }
        if (cutoff == null) {
          continue;
        }
        cutoffs.put(minutes, cutoff);
        List<String> expired = MySqlBucketPartitions.expired(dailyPartitions(c), minutes, cutoff);
        if (!expired.isEmpty()) {
          execute(c, "ALTER TABLE " + MySqlBucketPartitions.TABLE + " DROP PARTITION " + String.join(", ", expired));
          dropped.addAll(expired);
        }
        deleted += deleteInChunks(c, "DELETE FROM " + MySqlBucketPartitions.TABLE
            + " WHERE bucket_minutes = " + minutes + " AND bucket_start < ? LIMIT " + CHUNK, cutoff);
      }
      Instant quarantineCutoff = policy.quarantineCutoff(now);
      long quarantined = quarantineCutoff == null ? 0
          : deleteInChunks(c, "DELETE FROM quarantine WHERE quarantined_at < ? LIMIT " + CHUNK, quarantineCutoff);
      Result r = new Result(cutoffs, added, dropped, deleted, quarantined);
      LOG.info("retention: {}", r.describe());
      return r;
    } catch (SQLException e) {
      throw new IllegalStateException(db.failure("applying retention to the aggregates", e)
          + " (a lock wait timeout means a long transaction held bucket_counts; run it again)", e);
    }
  }

  /** The table's daily partitions; fails with a clear message when the table is not partitioned (no V10). */
  List<MySqlBucketPartitions.Daily> dailyPartitions(Connection c) throws SQLException {
    List<MySqlBucketPartitions.Daily> out = new ArrayList<>();
    boolean partitioned = false;
    try (PreparedStatement st = c.prepareStatement("SELECT PARTITION_NAME FROM information_schema.PARTITIONS"
        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND PARTITION_NAME IS NOT NULL")) {
      st.setString(1, MySqlBucketPartitions.TABLE);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          partitioned = true;
          MySqlBucketPartitions.parse(rs.getString(1)).ifPresent(out::add);
        }
      }
    }
    if (!partitioned) {
      throw new IllegalStateException("bucket_counts is not partitioned: apply migration V10 first (silo-reports"
          + " migrate)");
    }
    return out;
  }

  private static void execute(Connection c, String ddl) throws SQLException {
    long t0 = System.nanoTime();
    try (Statement st = c.createStatement()) {
      st.execute(ddl);
    }
    LOG.debug("retention: {} ({} ms)", ddl, (System.nanoTime() - t0) / 1_000_000);
  }

  /** Runs a {@code DELETE ... LIMIT} until it deletes nothing; each chunk commits alone (short locks). */
  private static long deleteInChunks(Connection c, String sql, Instant before) throws SQLException {
    long total = 0;
    try (PreparedStatement st = c.prepareStatement(sql)) {
      Jdbc.setUtc(st, 1, before);
      for (int n; (n = st.executeUpdate()) > 0; ) {
        total += n;
      }
    }
    return total;
  }
}
