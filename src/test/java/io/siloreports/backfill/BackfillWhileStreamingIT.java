package io.siloreports.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.BackfillConfig;
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
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill over hours that late readings are being merged into, at the same moment: the stream runs continuously
 * while files of late readings keep arriving, before, during and after the backfill. The files arrive in order, so
 * the tables must equal the plain-Java computation over the on-time readings and the first k late files, for some k
 * (the files the backfill listed: every one the stream had merged, and perhaps a few more), never a reading twice;
 * every reading of the later files is kept in the quarantine as too late. A second backfill then takes those in,
 * and the tables equal the computation over every valid reading.
 */
class BackfillWhileStreamingIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(23);
  @TempDir Path tmp;

  private Map<String, String> settings(EmbeddedMySql mysql) {
    Map<String, String> m = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    m.put("stream.pipelines", "silo-readings");
    m.put("db.migrate-on-start", "false");
    return m;
  }

  @Test
  void theBackfillAndTheLateMergesNeverCountAReadingTwiceNorLoseOne() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    Path in = tmp.resolve("input/silo-readings");
    List<Oracle.Reading> all = new ArrayList<>();
    List<List<Oracle.Reading>> lateFiles = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      List<Oracle.Reading> r =
          TestData.readings(rnd).silos(4).hours(DAY, 3 * f, 3 * f + 3).every(300, 599).values(3, 100_000, -1_000).build();
      all.addAll(r);
      InputFiles.write(in, "on-time-" + f + ".jsonl", TestData.json(r));
    }
    Wiring.stream(StreamConfig.from(Settings.of(settings(mysql))), spark, CLOCK).run();
    MySqlProgressStore progress = new MySqlProgressStore(db);
    Instant fb = progress.last(Pipeline.SILO_READINGS).orElseThrow().finalizedBefore();
    assertEquals(DAY.plus(Duration.ofHours(11)), fb);

    Map<String, String> continuous = settings(mysql);
    continuous.put("stream.trigger", "200ms");
    CompletableFuture<Void> stream =
        BackgroundStream.running(Wiring.stream(StreamConfig.from(Settings.of(continuous)), spark, CLOCK));
    int file = 0;
    // Late readings the stream merges before any backfill.
    for (; file < 3; file++) {
      lateFiles.add(lateFile(in, file, fb));
    }
    awaitLateTotalAtLeast(progress, 1);

    // The backfill of [DAY, fb) in hourly chunks while more late files arrive.
    Map<String, String> backfill = settings(mysql);
    backfill.put("backfill.from", DAY.toString());
    backfill.put("backfill.chunk", "1h");
    backfill.put("backfill.pipelines", "silo-readings");
    CompletableFuture<BackfillJob.Outcome> backfilling = CompletableFuture.supplyAsync(
        () -> Wiring.backfill(BackfillConfig.from(Settings.of(backfill)), spark, CLOCK).run());
    while (!backfilling.isDone()) {
      lateFiles.add(lateFile(in, file++, fb));
      Thread.sleep(300);
    }
    assertTrue(backfilling.get().succeeded(), backfilling.get().summary());
    // And after it: too late for the closed hours.
    for (int i = 0; i < 2; i++) {
      lateFiles.add(lateFile(in, file++, fb));
    }
    List<Oracle.Reading> onTime = List.copyOf(all);
    lateFiles.forEach(all::addAll);
    awaitAllFilesProcessed(progress, all.size(), file);
    spark.streams().active()[0].stop();
    stream.get(60, TimeUnit.SECONDS);
    for (StreamingQuery q : spark.streams().active()) {
      q.stop();
    }

    AggregationProgress p = progress.last(Pipeline.SILO_READINGS).orElseThrow();
    List<Oracle.Reading> tooLate = tooLateReadings(mysql);
    assertEquals(p.tooLateTotal(), tooLate.size());
    assertTrue(p.lateTotal() > 0, "some late readings were merged before the backfill closed their hours");
    assertTrue(!tooLate.isEmpty(), "some arrived after it");
    Map<Oracle.HourKey, String> tables = MySqlTables.hourly(mysql);
    int k = -1;
    List<Oracle.Reading> prefix = new ArrayList<>(onTime);
    for (int i = 0; i <= lateFiles.size() && k < 0; i++) {
      if (MySqlTables.rounded(Oracle.hourly(prefix)).equals(tables)) {
        k = i;
      } else if (i < lateFiles.size()) {
        prefix.addAll(lateFiles.get(i));
      }
    }
    assertTrue(k >= 3, "the tables are the on-time readings and the first k of " + lateFiles.size() + " late files,"
        + " k at least the 3 merged before the backfill; no k fits: a reading was lost or counted twice");
    for (int i = k; i < lateFiles.size(); i++) {
      for (Oracle.Reading r : lateFiles.get(i)) {
        assertTrue(tooLate.stream().anyMatch(x -> x.siloId() == r.siloId() && x.ts().equals(r.ts())
            && x.value().compareTo(r.value()) == 0), "a reading of late file " + i + " the backfill did not read is"
            + " kept as too late: " + r);
      }
    }

    Wiring.backfill(BackfillConfig.from(Settings.of(backfill)), spark, CLOCK).run();
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql), "a second backfill takes the too-late ones in");
  }

  /** A file of 15 late readings for random silos and hours before {@code fb}. */
  private List<Oracle.Reading> lateFile(Path in, int index, Instant fb) throws Exception {
    List<Oracle.Reading> late = new ArrayList<>();
    long hours = Duration.between(DAY, fb).toHours();
    for (int i = 0; i < 15; i++) {
      Instant ts = DAY.plus(Duration.ofHours(rnd.nextInt((int) hours))).plusSeconds(rnd.nextInt(3600))
          .plusMillis(rnd.nextInt(1000));
      late.add(new Oracle.Reading(1 + rnd.nextInt(5), ts,
          BigDecimal.valueOf(rnd.nextInt(2_000_000) - 1_000_000, 3)));
    }
    InputFiles.write(in, String.format("late-%03d.jsonl", index), TestData.json(late));
    return late;
  }

  private static void awaitLateTotalAtLeast(MySqlProgressStore progress, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (progress.last(Pipeline.SILO_READINGS).orElseThrow().lateTotal() < n) {
      assertTrue(System.nanoTime() < deadline, "the stream merged no late reading within 2 minutes");
      Thread.sleep(100);
    }
  }

  /** Until every reading written has been merged or kept aside as too late (one batch per file). */
  private static void awaitAllFilesProcessed(MySqlProgressStore progress, long readings, int lateFiles)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      AggregationProgress p = progress.last(Pipeline.SILO_READINGS).orElseThrow();
      if (p.validTotal() + p.tooLateTotal() >= readings) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "the stream did not process the " + lateFiles + " late files: " + p);
      Thread.sleep(100);
    }
  }

  private static List<Oracle.Reading> tooLateReadings(EmbeddedMySql mysql) throws Exception {
    List<Oracle.Reading> out = new ArrayList<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT line FROM quarantine WHERE kind = 'too_late'")) {
      while (rs.next()) {
        var n = json.readTree(rs.getString(1));
        out.add(new Oracle.Reading(n.get("silo_id").asInt(), Instant.parse(n.get("ts").asText()),
            n.get("value").decimalValue()));
      }
    }
    return out;
  }


}
