package io.siloreports.store;

import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
 * {@code silo_hourly_aggregates} (what reports read) is kept. Runs come from the {@code retention} command and from
 * every running MySQL stream ({@code retention.every}); a {@code GET_LOCK} named after the database lets one run at a
 * time, whichever process it is in.
 */
public final class MySqlRetention {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlRetention.class);
  static final int CHUNK = 20_000;
  /**
   * DDL waits this long (seconds) for MySQL's metadata lock on the table, then fails (the next run tries again). Short
   * because while it waits, new transactions on the table (a micro-batch's commit) wait behind it.
   */
  static final int LOCK_WAIT_SECONDS = 10;
  /** How long the {@code retention} command waits for a run elsewhere (a stream's) before it leaves the work to it. */
  public static final Duration WAIT_FOR_OTHER_RUN = Duration.ofSeconds(60);

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
   * @param took how long the run took once it held the lock
   */
  public record Result(Map<Integer, Instant> cutoffs, int partitionsAdded, List<String> partitionsDropped,
      long bucketRowsDeleted, long quarantineRowsDeleted, Duration took) {
    public String describe() {
      return "bucket counts cut at " + cutoffs + ": " + partitionsDropped.size() + " partition(s) dropped"
          + (partitionsDropped.isEmpty() ? "" : " " + partitionsDropped) + ", "
          + bucketRowsDeleted + " row(s) deleted, " + partitionsAdded + " partition(s) added; "
          + quarantineRowsDeleted + " quarantined record(s) deleted, in " + took.toMillis() + " ms";
    }
  }

  /**
   * Applies the policy as of {@code now}, waiting up to {@link #WAIT_FOR_OTHER_RUN} for a run elsewhere to end; fails
   * when it does not end by then.
   */
  public Result apply(Instant now) {
    return apply(now, WAIT_FOR_OTHER_RUN).orElseThrow(() -> new IllegalStateException(
        "another retention run of " + db.where() + " held the lock for " + WAIT_FOR_OTHER_RUN.toSeconds()
            + " s; run it again"));
  }

  /**
   * Applies the policy as of {@code now}, unless another run on the same database (another stream's, the
   * {@code retention} command's) holds its lock for longer than {@code waitForOther}: then nothing is done and the
   * result is empty. One run at a time per database: two concurrent runs would both split the same partitions.
   */
  public Optional<Result> apply(Instant now, Duration waitForOther) {
    try (Connection c = db.connect()) {
      c.setAutoCommit(true);
      String lock = lockName(c);
      if (!getLock(c, lock, waitForOther)) {
        return Optional.empty();
      }
      try {
        return Optional.of(applyLocked(c, now));
      } finally {
        releaseLock(c, lock);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(db.failure("applying retention to the aggregates", e) + hint(e), e);
    }
  }

  /** What to do about the failures a person can act on. */
  private static String hint(SQLException e) {
    return switch (e.getErrorCode()) {
      case 1205 -> " (a long transaction held bucket_counts for " + LOCK_WAIT_SECONDS
          + " s; the next run tries again)"; // ER_LOCK_WAIT_TIMEOUT
      case 1142 -> " (the user needs ALTER and DROP on bucket_counts to split and drop its partitions)";
      default -> "";
    };
  }

  /**
   * The name of the lock retention runs take ({@code GET_LOCK}, held by the connection): one per database, since
   * locks are server-wide and a server may hold several deployments' databases; at most 64 characters.
   */
  static String lockName(Connection c) throws SQLException {
    String database;
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DATABASE()")) {
      rs.next();
      database = rs.getString(1);
    }
    String name = "silo-reports retention " + database;
    return name.length() <= 64 ? name : name.substring(0, 40) + "#" + Integer.toHexString(database.hashCode());
  }

  private static boolean getLock(Connection c, String lock, Duration wait) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
      st.setString(1, lock);
      st.setLong(2, wait.toSeconds());
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1) == 1; // 0: another session held it all along; NULL: an error
      }
    }
  }

  private static void releaseLock(Connection c, String lock) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
      st.setString(1, lock);
      st.executeQuery().close();
    }
  }

  private Result applyLocked(Connection c, Instant now) throws SQLException {
    long t0 = System.nanoTime();
    try (Statement st = c.createStatement()) {
      st.execute("SET SESSION lock_wait_timeout = " + LOCK_WAIT_SECONDS);
    }
    Optional<AggregationProgress> committed = MySqlProgressStore.read(c, Pipeline.ACTIVITY_EVENTS, false);
    LocalDate lastBound = MySqlBucketPartitions.day(now).plusDays(policy.partitionDaysAhead());
    int added = 0;
    List<String> dropped = new ArrayList<>();
    long deleted = 0;
    Map<Integer, Instant> cutoffs = new TreeMap<>();
    for (Map.Entry<Integer, Duration> size : policy.bucketAges().entrySet()) {
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
    return new Result(cutoffs, added, dropped, deleted, quarantined,
        Duration.ofNanos(System.nanoTime() - t0));
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
