package io.siloreports.stream;

import static io.siloreports.store.RetentionScenario.D0;
import static io.siloreports.store.RetentionScenario.NOW;
import static io.siloreports.store.RetentionScenario.POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.MySqlProgressStore;
import io.siloreports.testing.BackgroundStream;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MySQL stream applies the {@code retention.*} ages itself ({@code retention.every}), against MariaDB: with a
 * processing-time trigger and a run every second, it splits each size's MAXVALUE partition into days ahead at start
 * and again when the day moves, drops the daily partitions the cut-offs pass while micro-batches commit, and the bucket
 * counts left equal a plain count of every event at or after each size's cut-off (computed here from the ages, the
 * largest event time and the clock). A run that fails (a database user without ALTER) is one WARN line, tried again,
 * and the stream goes on committing. The ages and days are {@link io.siloreports.store.RetentionScenario}'s.
 */
class MySqlStreamRetentionIT {
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(2525);
  @TempDir Path tmp;

  private Map<String, String> settings(EmbeddedMySql mysql) {
    Map<String, String> s = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    s.put("stream.pipelines", "activity-events");
    s.put("stream.trigger", "500ms");
    s.put("retention.every", "1s");
    POLICY.bucketAges().forEach((minutes, age) -> s.put("retention.buckets." + minutes + "m-age", age.toDays() + "d"));
    s.put("retention.quarantine-age", POLICY.quarantineAge().toDays() + "d");
    s.put("stream.max-revision-age", POLICY.maxRevisionAge().toDays() + "d");
    return s;
  }

  /** Events of hours [h0, h1) after D0, written as one input file. */
  private List<Oracle.Event> file(String name, int h0, int h1) throws Exception {
    List<Oracle.Event> events = TestData.events(rnd).perHour(20).accounts(3).hours(D0, h0, h1).build();
    InputFiles.write(tmp.resolve("input/activity-events"), name, TestData.eventJson(events));
    return events;
  }

  @Test
  void theStreamDropsExpiredPartitionsAndSplitsAheadWhileBatchesCommitAndTheCountsLeftAreExact() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    MySqlProgressStore progress = new MySqlProgressStore(db);
    MovableClock clock = new MovableClock(NOW);
    List<Oracle.Event> all = new ArrayList<>(file("events-00.jsonl", 0, 16 * 24)); // days 0-15

    List<String> split;
    try (LogCapture log = LogCapture.of("io.siloreports.stream")) {
      StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(settings(mysql))), spark, clock);
      CompletableFuture<Void> stream = BackgroundStream.running(job);
      awaitTrue(() -> valid(progress) == all.size(), Duration.ofSeconds(120), "the first batch");
      awaitTrue(() -> retentionRuns(log).size() >= 2, Duration.ofSeconds(60), "a run after the first batch");
      split = partitions(mysql);
      assertTrue(split.containsAll(List.of("p1_20261124", "p5_20261124", "p15_20261124", "p60_20261124")),
          "split 3 days ahead at start: " + split);

      // days 16 to 20 03:00 in 11 files, one per micro-batch; the day moves on once they have begun
      for (int i = 0; i < 11; i++) {
        all.addAll(file(String.format("events-%02d.jsonl", i + 1), 384 + 9 * i, 393 + 9 * i));
      }
      awaitTrue(() -> valid(progress) > all.size() - 11 * 180, Duration.ofSeconds(120), "a later batch");
      clock.advance(Duration.ofDays(1));
      awaitTrue(() -> valid(progress) == all.size(), Duration.ofSeconds(300), "every batch");
      int runsSoFar = retentionRuns(log).size();
      awaitTrue(() -> retentionRuns(log).size() >= runsSoFar + 2, Duration.ofSeconds(60), "a run after the last batch");
      assertFalse(stream.isDone(), "the stream runs on");
      job.stop();
      stream.get(60, TimeUnit.SECONDS);

      List<String> lines = log.lines();
      List<Integer> commits = indexes(lines, "activity-events batch", "records merged");
      assertTrue(commits.size() >= 12, "a batch per file at least: " + commits);
      int firstLater = commits.get(1);
      int last = commits.get(commits.size() - 1);
      List<Integer> drops = indexes(lines, "INFO retention of", "partition(s) dropped [");
      List<Integer> splits = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("INFO retention of")
            && lines.get(i).matches(".* [1-9]\\d* partition\\(s\\) added.*")) {
          splits.add(i);
        }
      }
      assertTrue(drops.stream().anyMatch(i -> i > firstLater && i < last),
          "a partition dropped between two batches' commits: " + lines);
      assertTrue(splits.stream().anyMatch(i -> i > firstLater && i < last),
          "days split ahead between two batches' commits: " + lines);
      assertEquals(List.of(), log.linesWith("WARN retention"), "no run failed");
    }

    List<String> partitions = partitions(mysql);
    for (int minutes : new int[] {1, 5, 15, 60}) {
      assertTrue(partitions.contains("p" + minutes + "_20261125"), "3 days ahead of the moved day: " + partitions);
    }

    // The oracle: each size's cut-off from the ages, the clock and the largest event time (its hour, less the
    // stream's max revision age), every event counted in plain Java, the buckets before the cut-off left out.
    Instant maxEvent = all.stream().map(Oracle.Event::ts).max(Instant::compareTo).orElseThrow();
    Instant horizon = maxEvent.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(7));
    Instant now = NOW.plus(Duration.ofDays(1));
    Map<Integer, Instant> cutoffs = new TreeMap<>();
    Map.of(1, 5, 5, 8, 15, 10, 60, 30).forEach((minutes, days) -> {
      Instant byAge = now.minus(Duration.ofDays(days));
      cutoffs.put(minutes, byAge.isBefore(horizon) ? byAge : horizon);
    });
    Map<Oracle.BucketKey, Long> expected = new TreeMap<>();
    Oracle.buckets(all).forEach((k, n) -> {
      if (!k.start().isBefore(cutoffs.get(k.minutes()))) {
        expected.put(k, n);
      }
    });
    assertTrue(expected.size() < Oracle.buckets(all).size(), "something expired");
    // every daily partition there after the first batch whose day ends by its size's cut-off was dropped, the rest
    // kept (names p<minutes>_<yyyymmdd>: the rows before that day)
    List<String> dropped = new ArrayList<>(split);
    dropped.removeAll(partitions);
    List<String> expectedDropped = split.stream().filter(name -> name.matches("p\\d+_\\d{8}")).filter(name -> {
      String[] parts = name.substring(1).split("_");
      Instant bound = java.time.LocalDate.parse(parts[1], java.time.format.DateTimeFormatter.BASIC_ISO_DATE)
          .atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
      return !bound.isAfter(cutoffs.get(Integer.parseInt(parts[0])));
    }).toList();
    assertFalse(expectedDropped.isEmpty(), "the cut-offs passed whole days: " + split + " " + cutoffs);
    assertEquals(expectedDropped, dropped, "partitions dropped");
    assertEquals(expected, MySqlTables.buckets(mysql), "every bucket at or after its size's cut-off " + cutoffs
        + ", each counting every event once, none before");
  }

  @Test
  void aFailingRunIsOneWarnLineTriedAgainAndTheStreamGoesOn() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc owner = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(owner, true);
    String password = "no-alter-" + rnd.nextInt(1_000_000);
    mysql.execute("DROP USER IF EXISTS 'silo_no_alter'@'%'",
        "CREATE USER 'silo_no_alter'@'%' IDENTIFIED BY '" + password + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON " + mysql.database() + ".* TO 'silo_no_alter'@'%'");
    Map<String, String> s = settings(mysql);
    s.put("db.user", "silo_no_alter");
    s.put("db.password", password);
    s.put("db.migrate-on-start", "false");
    MySqlProgressStore progress = new MySqlProgressStore(owner);
    List<Oracle.Event> all = new ArrayList<>(file("events-00.jsonl", 0, 48));

    try (LogCapture log = LogCapture.of(ScheduledRetention.class)) {
      StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(s)), spark, new MovableClock(NOW));
      CompletableFuture<Void> stream = BackgroundStream.running(job);
      awaitTrue(() -> valid(progress) == all.size(), Duration.ofSeconds(120), "the first batch");
      awaitTrue(() -> log.linesWith("WARN retention of").size() >= 2, Duration.ofSeconds(60), "two failed runs");
      all.addAll(file("events-01.jsonl", 48, 60));
      awaitTrue(() -> valid(progress) == all.size(), Duration.ofSeconds(120), "a batch after the failures");
      assertFalse(stream.isDone(), "the stream runs on");
      job.stop();
      stream.get(60, TimeUnit.SECONDS);

      List<String> warns = log.linesWith("WARN retention of");
      String first = warns.get(0);
      assertTrue(first.contains("failed (run at 2026-11-21T06:00:00Z)") && first.contains("ALTER")
          && first.contains("trying again at 2026-11-21T06:00:01Z (retention.every PT1S), the stream goes on"), first);
      assertFalse(first.contains(password), "no password in the log");
      assertEquals(List.of(), log.linesWith("INFO retention of"), "no run succeeded");
    }
    assertEquals(new TreeMap<>(Oracle.buckets(all)), MySqlTables.buckets(mysql), "every event counted once");
  }

  @Test
  void anAvailableNowStreamAppliesTheAgesBeforeItReturns() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    List<Oracle.Event> all = file("events-00.jsonl", 16 * 24, 20 * 24 + 3);
    Map<String, String> s = settings(mysql);
    s.put("stream.trigger", "available-now");
    s.put("retention.every", "1h");
    Wiring.stream(StreamConfig.from(Settings.of(s)), spark, new MovableClock(NOW)).run();

    List<String> partitions = partitions(mysql);
    for (int minutes : new int[] {1, 5, 15, 60}) {
      assertTrue(partitions.contains("p" + minutes + "_20261124"), "3 days ahead of today: " + partitions);
    }
    assertEquals(new TreeMap<>(Oracle.buckets(all)), MySqlTables.buckets(mysql), "nothing old enough to go");
  }

  private static long valid(MySqlProgressStore progress) {
    return progress.last(Pipeline.ACTIVITY_EVENTS).map(AggregationProgress::validTotal).orElse(0L);
  }

  private static List<String> retentionRuns(LogCapture log) {
    return log.linesWith("INFO retention of");
  }

  private static List<Integer> indexes(List<String> lines, String... parts) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<String> partitions(EmbeddedMySql mysql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA ="
            + " DATABASE() AND TABLE_NAME = 'bucket_counts' ORDER BY PARTITION_ORDINAL_POSITION")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void awaitTrue(BooleanSupplier condition, Duration within, String what) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + ": not within " + within);
  }
}
