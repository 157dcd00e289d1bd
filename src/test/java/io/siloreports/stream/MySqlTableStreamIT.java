package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source.type=mysql}: the stream reads an existing raw table (its own names for table and columns, nullable
 * columns) by its auto-increment id while rows are inserted, in random event-time order, some hours late, one insert
 * committing after inserts with higher ids; then it stops and a restart continues from the committed position. The
 * aggregates equal the plain-Java computation over the valid rows; the bad rows are quarantined with their reasons.
 */
class MySqlTableStreamIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(41);
  @TempDir Path tmp;

  @Test
  void rowsInsertedWhileTheStreamRunsAggregateToTheOracleAcrossARestart() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    mysql.execute("CREATE TABLE sensor_log (rid BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sensor INT NULL,"
        + " taken_at DATETIME(3) NULL, reading DECIMAL(16,4) NULL)");
    Map<String, String> settings = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    settings.put("source.type", "mysql");
    settings.put("stream.pipelines", "silo-readings");
    settings.put("source.mysql.table", "sensor_log");
    settings.put("source.mysql.id-column", "rid");
    settings.put("source.mysql.silo-column", "sensor");
    settings.put("source.mysql.ts-column", "taken_at");
    settings.put("source.mysql.value-column", "reading");
    settings.put("source.mysql.max-rows-per-batch", "150");
    settings.put("stream.trigger", "200ms");

    List<Oracle.Reading> valid = new ArrayList<>();
    List<Oracle.Reading> first = new ArrayList<>(
        TestData.readings(rnd).silos(3).hours(DAY, 0, 8).every(120, 300).values(4, 2_000_000, -500_000).build());
    Collections.shuffle(first, rnd); // random event-time order: many of them late by the time they are read
    valid.addAll(first);
    insert(db, first.subList(0, 100));

    StreamJob continuous = Wiring.stream(StreamConfig.from(Settings.of(settings)), spark, CLOCK);
    CompletableFuture<Void> stream = BackgroundStream.running(continuous);
    MySqlProgressStore progress = new MySqlProgressStore(db);
    awaitPosition(progress, 100);

    // An insert that commits after inserts with higher ids: its id is a gap until it does.
    Oracle.Reading slow = new Oracle.Reading(2, DAY.plus(Duration.ofMinutes(70)), new BigDecimal("4321.0001"));
    valid.add(slow);
    try (Connection a = db.connect()) {
      a.setAutoCommit(false);
      insert(a, List.of(slow));
      insert(db, first.subList(100, first.size()));
      insertRaw(db, "(1, NULL, 5.0)", "(NULL, '2026-11-20 01:00:00', 5.0)", "(1, '1990-01-01 00:00:00', 5.0)",
          "(3, '2026-11-20 02:00:00', 123456789012.5)");
      awaitGap(progress);
      a.commit();
    }
    awaitValidTotal(progress, valid.size());
    continuous.stop();
    stream.get(60, TimeUnit.SECONDS);

    // Stopped; more rows, late ones among them; an available-now restart takes them from the committed position.
    List<Oracle.Reading> second = TestData.readings(rnd).silos(3).hours(DAY, 8, 10).every(120, 300).build();
    List<Oracle.Reading> late = List.of(new Oracle.Reading(1, DAY.plus(Duration.ofMinutes(5)), new BigDecimal("-7.5")),
        new Oracle.Reading(4, DAY.plus(Duration.ofMinutes(185)), new BigDecimal("99.9999")));
    valid.addAll(second);
    valid.addAll(late);
    insert(db, TestData.concat(second, late));
    Map<String, String> once = new java.util.LinkedHashMap<>(settings);
    once.put("stream.trigger", "available-now");
    Wiring.stream(StreamConfig.from(Settings.of(once)), spark, CLOCK).run();

    AggregationProgress p = progress.last(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(valid.size(), p.validTotal(), "every valid row once");
    assertEquals(4, p.badTotal());
    assertTrue(p.lateTotal() > 0, "rows for hours already final were merged as late: " + p);
    assertEquals("id=" + maxId(mysql), p.sourcePosition(), "no gap left");
    assertEquals(MySqlTables.rounded(Oracle.hourly(valid)), MySqlTables.hourly(mysql));
    List<String> reasons = new ArrayList<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT reason, source FROM quarantine ORDER BY reason")) {
      while (rs.next()) {
        reasons.add(rs.getString(1));
        assertTrue(rs.getString(2).startsWith("mysql:sensor_log#"), rs.getString(2));
      }
    }
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).startsWith("absurd timestamp: 1990-01-01T00:00:00Z"), reasons.toString());
    assertTrue(reasons.get(1).startsWith("missing field: silo_id"), reasons.toString());
    assertTrue(reasons.get(2).startsWith("missing field: ts"), reasons.toString());
    assertTrue(reasons.get(3).startsWith("non-finite value: 123456789012.5"), reasons.toString());

    // Nothing new: a third run commits nothing.
    Wiring.stream(StreamConfig.from(Settings.of(once)), spark, CLOCK).run();
    assertEquals(p.batchId(), progress.last(Pipeline.SILO_READINGS).orElseThrow().batchId());
  }

  private static void insert(Jdbc db, List<Oracle.Reading> readings) throws Exception {
    try (Connection c = db.connect()) {
      insert(c, readings);
    }
  }

  private static void insert(Connection c, List<Oracle.Reading> readings) throws Exception {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO sensor_log (sensor, taken_at, reading) VALUES (?, ?, ?)")) {
      for (Oracle.Reading r : readings) {
        st.setInt(1, r.siloId());
        st.setObject(2, LocalDateTime.ofInstant(r.ts(), ZoneOffset.UTC));
        st.setBigDecimal(3, r.value());
        st.executeUpdate(); // one row per statement: ids in the order of the list
      }
    }
  }

  private static void insertRaw(Jdbc db, String... values) throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      for (String v : values) {
        st.executeUpdate("INSERT INTO sensor_log (sensor, taken_at, reading) VALUES " + v);
      }
    }
  }

  private static void awaitPosition(MySqlProgressStore progress, long id) throws InterruptedException {
    await(() -> progress.last(Pipeline.SILO_READINGS).map(AggregationProgress::sourcePosition)
        .map(s -> Long.parseLong(s.replaceAll("^id=(\\d+).*$", "$1")) >= id).orElse(false), "position " + id);
  }

  private static void awaitGap(MySqlProgressStore progress) throws InterruptedException {
    await(() -> progress.last(Pipeline.SILO_READINGS).map(AggregationProgress::sourcePosition)
        .map(s -> s.contains("gaps=")).orElse(false), "a gap for the uncommitted insert");
  }

  private static void awaitValidTotal(MySqlProgressStore progress, long n) throws InterruptedException {
    await(() -> progress.last(Pipeline.SILO_READINGS).map(a -> a.validTotal() >= n).orElse(false), n + " rows");
  }

  private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "the stream did not reach " + what + " within 2 minutes");
      Thread.sleep(100);
    }
  }

  private static long maxId(EmbeddedMySql mysql) throws Exception {
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT MAX(rid) FROM sensor_log")) {
      rs.next();
      return rs.getLong(1);
    }
  }


}
