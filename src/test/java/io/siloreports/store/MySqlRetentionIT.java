package io.siloreports.store;

import static io.siloreports.store.RetentionScenario.CLOSED;
import static io.siloreports.store.RetentionScenario.COMMITTED;
import static io.siloreports.store.RetentionScenario.D0;
import static io.siloreports.store.RetentionScenario.MAX_EVENT;
import static io.siloreports.store.RetentionScenario.NOW;
import static io.siloreports.store.RetentionScenario.POLICY;
import static io.siloreports.store.RetentionScenario.SIZES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.Wiring;
import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Retention of the MySQL aggregates against MariaDB: bucket rows of each size older than its age (and before the
 * revision horizon) are gone, all newer ones untouched, while micro-batches commit through
 * {@link MySqlAggregateStore#commit} at the same time; the 60-minute rows that stay equal the sum of the 1-minute rows
 * that went; a bucket query over a retained range answers the same; old quarantined records are gone, their counts
 * stay in the progress totals. Expected values come from plain loops over the generated events.
 */
class MySqlRetentionIT {
  private final Random rnd = new Random(25);

  /** A bucket key: size, account, start. */
  record Key(int minutes, String account, Instant start) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = account.compareTo(o.account);
      c = c != 0 ? c : Integer.compare(minutes, o.minutes);
      return c != 0 ? c : start.compareTo(o.start);
    }
  }

  @Test
  void expiredRowsGoWhileBatchesCommitAndTheCoarserBucketsHoldWhatWent() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    SparkSession spark = LocalSpark.get();
    MySqlProgressStore progress = new MySqlProgressStore(db);
    MySqlAggregateStore store = new MySqlAggregateStore(spark, db, progress);

    db.inTransaction(Jdbc.DEFAULT_ISOLATION, 1, "seed progress", c -> { // the stream closed hours before CLOSED
      progress.write(c, progressOf(-1, 0));
      return null;
    });
    // batch 0: 20,000 events over the first 16 days; batches 1-6: 1,000 each in the open days 16-20
    Map<Key, Long> expected = new TreeMap<>();
    store.commit(Pipeline.ACTIVITY_EVENTS, partials(events(20_000, D0, 16), expected), emptyQuarantine(spark),
        progressOf(0, 20_000));
    int quarantineKept = insertQuarantine(db);
    Map<Key, Long> before = stored(db);
    assertEquals(expected, before);
    Instant cutoff1 = POLICY.bucketCutoff(1, NOW, COMMITTED);
    Map<Key, Long> hourSumsOfDropped = new TreeMap<>();
    before.forEach((k, n) -> {
      if (k.minutes() == 1 && k.start().isBefore(cutoff1)) {
        hourSumsOfDropped.merge(new Key(60, k.account(), k.start().minusSeconds(k.start().getEpochSecond() % 3600)), n,
            Long::sum);
      }
    });
    MySqlStoreQueries queries = new MySqlStoreQueries(db);
    Instant retainedFrom = D0.plus(Duration.ofDays(15));
    Instant retainedTo = D0.plus(Duration.ofDays(16));
    var retainedQuery = queries.buckets("login", null, 1, retainedFrom, retainedTo, 1_000_000);

    List<List<Row>> later = new ArrayList<>();
    for (int b = 1; b <= 6; b++) {
      later.add(partials(events(1_000, D0.plus(Duration.ofDays(16)), 4), expected));
    }
    CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
      for (int b = 1; b <= 6; b++) {
        store.commit(Pipeline.ACTIVITY_EVENTS, later.get(b - 1), emptyQuarantine(spark), progressOf(b, 20_000 + b * 1000));
      }
    });
    MySqlRetention retention = new MySqlRetention(db, POLICY);
    boolean overlapped = !streaming.isDone();
    MySqlRetention.Result first = retention.apply(NOW);
    while (!streaming.isDone()) {
      assertEquals(List.of(), retention.apply(NOW).partitionsDropped());
    }
    streaming.get();
    assertTrue(overlapped, "retention ran while batches committed");
    MySqlRetention.Result again = retention.apply(NOW);

    Map<Key, Long> retained = new TreeMap<>();
    expected.forEach((k, n) -> {
      Instant cut = POLICY.bucketCutoff(k.minutes(), NOW, COMMITTED);
      if (!k.start().isBefore(cut)) {
        retained.put(k, n);
      }
    });
    assertEquals(retained, stored(db), "exactly the rows at or after each size's cut-off, with every batch's counts");
    assertTrue(retained.size() < expected.size(), "something expired");
    assertEquals(Map.of(1, D0.plus(Duration.ofDays(13)).plus(Duration.ofHours(3)), 5, NOW.minus(Duration.ofDays(8)), 15, NOW.minus(Duration.ofDays(10)), 60,
        NOW.minus(Duration.ofDays(30))), first.cutoffs(), "each size's age, capped at the revision horizon (by age, later than the backfill's)");
    assertFalse(first.partitionsDropped().isEmpty(), "whole days went as partitions");
    assertTrue(first.bucketRowsDeleted() > 0, "the rest of the cut-off day went as rows");
    assertTrue(first.partitionsDropped().contains("p1_20261114"), first.partitionsDropped().toString());
    assertTrue(again.partitionsDropped().isEmpty() && again.bucketRowsDeleted() == 0 && again.partitionsAdded() == 0,
        "a later run finds nothing to do: " + again.describe());

    Map<Key, Long> stored = stored(db);
    hourSumsOfDropped.forEach((hour, sum) -> assertEquals(sum, stored.get(hour), "60-minute row " + hour
        + " = the sum of the 1-minute rows that went"));
    assertFalse(hourSumsOfDropped.isEmpty());
    assertEquals(retainedQuery, queries.buckets("login", null, 1, retainedFrom, retainedTo, 1_000_000));

    assertEquals(0, count(db, "SELECT COUNT(*) FROM quarantine WHERE quarantined_at < ?", NOW.minus(Duration.ofDays(7))));
    assertEquals(quarantineKept, count(db, "SELECT COUNT(*) FROM quarantine", null));
    assertEquals(7L, progress.last(Pipeline.ACTIVITY_EVENTS).orElseThrow().badTotal(), "totals keep the counts");
    assertTrue(count(db, "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND PARTITION_NAME = 'p1_20261124'", null) == 1, "daily partitions ready 3 days ahead");
  }

  /**
   * Runs of several processes over one database (two streams, a stream and the {@code retention} command) take the
   * database's lock: one that may not wait (a stream's) skips while another holds it, one that may wait (the command's)
   * runs when it ends, and two started at once both end without error, the second finding the work done.
   */
  @Test
  void oneRunAtATimePerDatabaseTheOtherWaitsOrSkips() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    MySqlProgressStore progress = new MySqlProgressStore(db);
    db.inTransaction(Jdbc.DEFAULT_ISOLATION, 1, "seed progress", c -> {
      progress.write(c, progressOf(0, 0));
      return null;
    });
    MySqlRetention retention = new MySqlRetention(db, POLICY);
    List<String> unsplit = partitions(db);

    try (Connection elsewhere = db.connect()) {
      String lock = MySqlRetention.lockName(elsewhere);
      assertEquals("silo-reports retention " + mysql.database(), lock, "named after the database");
      assertEquals(1L, lockQuery(elsewhere, "SELECT GET_LOCK(?, 0)", lock));
      assertEquals(java.util.Optional.empty(), retention.apply(NOW, Duration.ZERO), "skipped while another runs");
      assertEquals(unsplit, partitions(db), "and did nothing");

      CompletableFuture<java.util.Optional<MySqlRetention.Result>> waiting =
          CompletableFuture.supplyAsync(() -> retention.apply(NOW, Duration.ofSeconds(30)));
      Thread.sleep(2_000);
      assertFalse(waiting.isDone(), "a run that may wait waits for the other");
      assertEquals(unsplit, partitions(db));
      lockQuery(elsewhere, "SELECT RELEASE_LOCK(?)", lock);
      MySqlRetention.Result ran = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS).orElseThrow();
      assertTrue(ran.partitionsAdded() > 0, "then it runs: " + ran.describe());
    }

    // Two started at once, two days later: both end, one split the partitions of the two new days, the other found
    // them there.
    Instant later = NOW.plus(Duration.ofDays(2));
    java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
    List<CompletableFuture<java.util.Optional<MySqlRetention.Result>>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      MySqlRetention own = new MySqlRetention(db, POLICY); // its own connection, as another process would have
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          together.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return own.apply(later, Duration.ofSeconds(30));
      }));
    }
    List<MySqlRetention.Result> results = new ArrayList<>();
    for (CompletableFuture<java.util.Optional<MySqlRetention.Result>> run : runs) {
      results.add(run.get(120, java.util.concurrent.TimeUnit.SECONDS).orElseThrow());
    }
    assertEquals(2 * SIZES.length, results.get(0).partitionsAdded() + results.get(1).partitionsAdded(),
        "two new days for each size, once: " + results);
    assertTrue(results.stream().anyMatch(r -> r.partitionsAdded() == 0 && r.partitionsDropped().isEmpty()),
        "the second found the work done: " + results);
    assertTrue(partitions(db).contains("p1_20261126"), partitions(db).toString());

    // The retention command (today's clock): it waits for a run elsewhere, then runs and exits 0.
    try (Connection elsewhere = db.connect()) {
      String lock = MySqlRetention.lockName(elsewhere);
      assertEquals(1L, lockQuery(elsewhere, "SELECT GET_LOCK(?, 0)", lock));
      List<String> beforeCommand = partitions(db);
      CompletableFuture<Integer> command = CompletableFuture.supplyAsync(() -> io.siloreports.cli.Main.run(
          new String[] {"retention", "--conf", "sink.type=mysql", "--conf", "db.url=" + mysql.jdbcUrl(), "--conf",
              "db.user=" + mysql.appUser(), "--conf", "db.password=" + mysql.appPassword()}));
      Thread.sleep(2_000);
      assertFalse(command.isDone(), "the command waits for the other run");
      assertEquals(beforeCommand, partitions(db));
      lockQuery(elsewhere, "SELECT RELEASE_LOCK(?)", lock);
      assertEquals(io.siloreports.cli.Main.DONE, command.get(60, java.util.concurrent.TimeUnit.SECONDS));
      assertFalse(beforeCommand.equals(partitions(db)), "then it ran (days up to 3 after today split)");
    }
  }

  private static long lockQuery(Connection c, String sql, String lock) throws Exception {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, lock);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<String> partitions(Jdbc db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement("SELECT PARTITION_NAME FROM"
        + " information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'bucket_counts'"
        + " ORDER BY PARTITION_ORDINAL_POSITION"); ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private List<Instant> events(int n, Instant from, int days) {
    List<Instant> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(from.plusSeconds((long) (rnd.nextDouble() * days * 86_400)));
    }
    return out;
  }

  /** The partial rows of some events (each size counted from the events, as the stream does), added to expected. */
  private List<Row> partials(List<Instant> events, Map<Key, Long> expected) {
    Map<Key, Long> batch = new TreeMap<>();
    for (int i = 0; i < events.size(); i++) {
      String account = "acct-" + (i % 40);
      long s = events.get(i).getEpochSecond();
      for (int m : SIZES) {
        batch.merge(new Key(m, account, Instant.ofEpochSecond(s - s % (m * 60L))), 1L, Long::sum);
      }
    }
    batch.forEach((k, n) -> expected.merge(k, n, Long::sum));
    List<Row> rows = new ArrayList<>();
    batch.forEach((k, n) -> rows.add(RowFactory.create("login", k.account(), k.minutes(), Timestamp.from(k.start()),
        n, 0L, null)));
    return rows;
  }

  private static AggregationProgress progressOf(long batch, long valid) {
    return new AggregationProgress(Pipeline.ACTIVITY_EVENTS, batch, CLOSED, MAX_EVENT, valid, 7, 0, 0, CLOSED, null, NOW);
  }

  private static org.apache.spark.sql.Dataset<Row> emptyQuarantine(SparkSession spark) {
    return spark.createDataFrame(List.of(), Quarantine.SCHEMA);
  }

  /** 100 quarantined records, one every 4.8 hours over the 20 days; returns how many are newer than 7 days. */
  private static int insertQuarantine(Jdbc db) throws Exception {
    int kept = 0;
    try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement("INSERT INTO quarantine (pipeline,"
        + " batch_id, kind, reason, line, quarantined_at) VALUES ('activity-events', 0, 'bad', 'test', 'x,y', ?)")) {
      for (int i = 0; i < 100; i++) {
        Instant at = D0.plusSeconds(i * 17_280L);
        Jdbc.setUtc(st, 1, at);
        st.executeUpdate();
        kept += at.isBefore(NOW.minus(Duration.ofDays(7))) ? 0 : 1;
      }
    }
    return kept;
  }

  private static Map<Key, Long> stored(Jdbc db) throws Exception {
    Map<Key, Long> out = new TreeMap<>();
    try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement(
        "SELECT bucket_minutes, account_id, bucket_start, record_count FROM bucket_counts");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.put(new Key(rs.getInt(1), rs.getString(2), Jdbc.getUtc(rs, 3)), rs.getLong(4));
      }
    }
    return out;
  }

  private static long count(Jdbc db, String sql, Instant arg) throws Exception {
    try (Connection c = db.connect(); PreparedStatement st = c.prepareStatement(sql)) {
      if (arg != null) {
        Jdbc.setUtc(st, 1, arg);
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
