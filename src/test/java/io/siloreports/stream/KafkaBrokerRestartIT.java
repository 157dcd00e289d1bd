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
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
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
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker dies (SIGKILL) while the stream is in the middle of a backlog, stays away ~20 s (5 s, then its
 * restart), and comes back on the same port with its data: the stream rides it out by itself (Kafka's clients
 * reconnect; Spark's offset requests and fetches wait), reads the rest and what is produced afterwards, and counts
 * every reading once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaBrokerRestartIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private static final String TOPIC = "silo-readings-restart";
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(29);
  private EmbeddedMySql mysql;
  private EmbeddedKafka kafka;
  @TempDir Path tmp;

  @BeforeAll
  void start() {
    mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    kafka = new EmbeddedKafka().start(); // its own broker: this test kills it
    kafka.createTopic(TOPIC, 2);
  }

  @AfterAll
  void stop() {
    kafka.close();
  }

  private List<Oracle.Reading> readings(int h0, int h1) {
    return TestData.readings(rnd).silos(3).hours(DAY, h0, h1).every(20, 60).build();
  }

  /** Waits until the stream committed at least {@code atLeast} readings; returns how many. */
  private static long await(MySqlProgressStore progress, long atLeast, Duration within) throws Exception {
    long end = System.nanoTime() + within.toNanos();
    long seen = 0;
    while (System.nanoTime() < end) {
      seen = progress.last(Pipeline.SILO_READINGS).map(AggregationProgress::validTotal).orElse(0L);
      if (seen >= atLeast) {
        return seen;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the stream committed " + seen + " of " + atLeast + " readings within " + within);
  }

  @Test
  void theStreamRidesOutABrokerRestartAndCountsEveryReadingOnce() throws Exception {
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    MySqlProgressStore progress = new MySqlProgressStore(db);
    Map<String, String> settings = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    settings.put("source.type", "kafka");
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("source.kafka.topic.silo-readings", TOPIC);
    settings.put("source.kafka.maxOffsetsPerTrigger", "100"); // many micro-batches: the broker dies amid them
    settings.put("stream.pipelines", "silo-readings");
    settings.put("stream.trigger", "300ms");

    List<Oracle.Reading> all = new ArrayList<>(readings(0, 4));
    List<String> lines = new ArrayList<>(TestData.json(all));
    lines.add("{\"silo_id\": 1, \"ts\": \"not a time\", \"value\": 1}");
    kafka.send(TOPIC, lines);

    StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(settings)), spark, CLOCK);
    CompletableFuture<Void> stream = BackgroundStream.running(job);
    try {
      long before = await(progress, 1, Duration.ofSeconds(60));
      assertTrue(before < all.size(), "the broker dies while the stream is still reading");

      kafka.pause(); // down ~5 s plus the restart (~15 s: the new broker waits for its old session to expire)
      Thread.sleep(5_000);
      assertFalse(stream.isDone(), "the stream waits for the broker instead of dying");
      kafka.resume();

      List<Oracle.Reading> after = readings(4, 8);
      kafka.send(TOPIC, TestData.json(after));
      all.addAll(after);
      assertEquals(all.size(), await(progress, all.size(), Duration.ofSeconds(60)));
      assertFalse(stream.isDone(), "the stream still runs after the broker came back");
    } finally {
      job.stop();
    }
    stream.get(60, TimeUnit.SECONDS);

    AggregationProgress last = progress.last(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(all.size(), last.validTotal(), "every reading committed once");
    assertEquals(1, last.badTotal());
    assertEquals(1, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine"));
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql), "every reading once");
  }
}
