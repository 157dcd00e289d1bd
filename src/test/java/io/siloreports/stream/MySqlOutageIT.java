package io.siloreports.stream;

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
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedMySql;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * MySQL goes away while the stream runs (the server stopped, its data kept, then started again on the same port):
 * within {@code stream.store-outage-tolerance} the stream waits, goes on by itself and counts every reading once;
 * past it, the stream stops with the reason, and a restart is exact. The stream's own retention fails meanwhile, one
 * WARN line a run, and runs again once the database is back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlOutageIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(17);
  private EmbeddedMySql mysql;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    mysql = new EmbeddedMySql().start(); // its own server: this test stops it
  }

  @AfterAll
  void stop() {
    mysql.close();
  }

  private Map<String, String> settings(String tolerance) {
    Map<String, String> s = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    s.put("stream.pipelines", "silo-readings");
    s.put("stream.trigger", "300ms");
    s.put("stream.store-outage-tolerance", tolerance);
    return s;
  }

  private List<Oracle.Reading> file(int index, int h0, int h1) throws Exception {
    List<Oracle.Reading> r = TestData.readings(rnd).silos(3).hours(DAY, h0, h1).every(120, 300).build();
    InputFiles.write(tmp.resolve("input/silo-readings"), String.format("readings-%02d.jsonl", index), TestData.json(r));
    return r;
  }

  private static void await(MySqlProgressStore progress, long valid, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (progress.last(Pipeline.SILO_READINGS).map(AggregationProgress::validTotal).orElse(0L) == valid) {
          return;
        }
      } catch (RuntimeException e) {
        // the server is down
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the stream did not commit " + valid + " readings within " + within);
  }

  @Test
  void anOutageWithinTheToleranceIsWaitedOutAndAnOutageBeyondItStopsTheStreamWithTheReason() throws Exception {
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    MySqlProgressStore progress = new MySqlProgressStore(db);
    List<Oracle.Reading> all = new ArrayList<>(file(0, 0, 3));

    StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(settings("5m"))), spark, CLOCK);
    CompletableFuture<Void> stream = BackgroundStream.running(job);
    await(progress, all.size(), Duration.ofSeconds(60));

    // 30 s without MySQL while a new file arrives: the batch waits, then commits by itself.
    try (LogCapture log = LogCapture.of(MicroBatchAggregator.class)) {
      mysql.pause();
      all.addAll(file(1, 3, 6));
      Thread.sleep(30_000);
      assertFalse(stream.isDone(), "the stream rides out the outage");
      mysql.resume();
      await(progress, all.size(), Duration.ofSeconds(90));
      assertFalse(stream.isDone());
      // It was tried again and again during the outage, each wait logged with the database and its backoff, and it
      // said when the database was back: not only the end state.
      List<String> waits = log.linesWith("WARN silo-readings batch", "unreachable", "trying again in",
          "of at most PT5M");
      assertTrue(waits.size() >= 4, "a wait logged for each attempt (1, 2, 4, 8, 10 s ...): " + log.lines());
      assertTrue(waits.stream().anyMatch(l -> l.contains("trying again in 1 s"))
          && waits.stream().anyMatch(l -> l.contains("trying again in 8 s")), "the backoff grows: " + waits);
      assertEquals(1, log.linesWith("reachable again after", "the batch is committed").size(), log.lines().toString());
    }
    job.stop();
    stream.get(60, TimeUnit.SECONDS);
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql), "every reading once");

    // Tolerance 3 s, an outage longer than that: the stream stops and says why.
    StreamJob impatient = Wiring.stream(StreamConfig.from(Settings.of(settings("3s"))), spark, CLOCK);
    CompletableFuture<Void> second = BackgroundStream.running(impatient);
    Thread.sleep(3_000);
    mysql.pause();
    List<Oracle.Reading> more = file(2, 6, 8);
    ExecutionException stopped = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> second.get(120, TimeUnit.SECONDS));
    String why = String.valueOf(stopped.getCause());
    for (Throwable t = stopped; t != null; t = t.getCause()) {
      why += " | " + t.getMessage();
    }
    assertTrue(why.contains("unreachable for") && why.contains("stream.store-outage-tolerance"), why);
    mysql.resume();

    // A restart once MySQL is back: exact.
    all.addAll(more);
    Map<String, String> once = settings("5m");
    once.put("stream.trigger", "available-now");
    Wiring.stream(StreamConfig.from(Settings.of(once)), spark, CLOCK).run();
    assertEquals(all.size(), progress.last(Pipeline.SILO_READINGS).orElseThrow().validTotal());
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql), "every reading once");
  }

  /**
   * The stream's own retention ({@code retention.every}) while the database is away: each failed run is one WARN line
   * naming the outage and when it tries again, the stream rides the outage out, and retention runs again once the
   * database is back.
   */
  @Test
  void retentionRunsFailWhileTheDatabaseIsAwayAndTheStreamGoesOn() throws Exception {
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    MySqlProgressStore progress = new MySqlProgressStore(db);
    List<Oracle.Reading> all = new ArrayList<>(file(10, 0, 3));
    Map<String, String> s = settings("5m");
    s.put("retention.every", "1s");

    try (LogCapture log = LogCapture.of(ScheduledRetention.class)) {
      StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(s)), spark, CLOCK);
      CompletableFuture<Void> stream = BackgroundStream.running(job);
      await(progress, all.size(), Duration.ofSeconds(60));
      mysql.pause();
      try {
        all.addAll(file(11, 3, 6));
        Thread.sleep(6_000);
        assertFalse(stream.isDone(), "the stream rides out the outage");
      } finally {
        mysql.resume();
      }
      int succeededBefore = log.linesWith("INFO retention of").size();
      await(progress, all.size(), Duration.ofSeconds(90));
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (log.linesWith("INFO retention of").size() == succeededBefore && System.nanoTime() < end) {
        Thread.sleep(200);
      }
      assertTrue(log.linesWith("INFO retention of").size() > succeededBefore, "it runs again: " + log.lines());
      List<String> warns = log.linesWith("WARN retention of MySQL at", "unreachable while applying retention",
          "trying again at 2026-11-25T00:00:01Z (retention.every PT1S), the stream goes on");
      assertTrue(warns.size() >= 2, "one WARN line per failed run: " + log.lines());
      assertFalse(warns.get(0).contains("\n") || warns.get(0).contains(mysql.appPassword()), warns.get(0));
      assertFalse(stream.isDone());
      job.stop();
      stream.get(60, TimeUnit.SECONDS);
    }
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql), "every reading once");
  }
}
