package io.siloreports.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.BackfillConfig;
import io.siloreports.cli.Main;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.MySqlProgressStore;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill against a real MariaDB: the stream (file source, MySQL sink) writes the tables, late readings and
 * events merged into their hours, then the backfill recomputes final hours from the same raw files (JSON lines and
 * a CSV copy) and closes them for revision. Every number is checked against a plain-Java computation over the raw
 * records. One shared database and input, a behaviour per test, in order.
 *
 * <p>Longer than most test classes: the fixture and the table readers it needs are specific to this database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackfillJobIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);

  private static EmbeddedMySql mysql;
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(7);
  @TempDir static Path tmp;

  private List<Oracle.Reading> r0;
  private List<Oracle.Reading> r1;
  private List<Oracle.Reading> r3;
  private List<Oracle.Reading> late;
  private List<Oracle.Event> allEvents;
  private List<Oracle.Reading> onTime;
  private List<Oracle.Reading> all;
  private List<String> f1;
  private Instant fb;
  private Instant fbEvents;
  private Snapshot streamed;
  private Snapshot backfilled;
  private List<BackfillJob.Result> toFinalizedBefore;

  private Map<String, String> settings() {
    Map<String, String> m = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    m.put("db.migrate-on-start", "false");
    return m;
  }

  private List<BackfillJob.Result> backfill(Map<String, String> flags) {
    Map<String, String> m = settings();
    m.putAll(flags);
    return Wiring.backfill(BackfillConfig.from(Settings.of(m)), spark, CLOCK).run().results();
  }

  private List<Oracle.Reading> readings(int fromHour, int toHour) {
    return TestData.readings(rnd).silos(3).hours(DAY, fromHour, toHour).every(240, 359).jitter()
        .values(3, 2_000_000, -500_000).build();
  }

  private List<Oracle.Event> events(int fromHour, int toHour) {
    return TestData.events(rnd).perHour(80).hours(DAY, fromHour, toHour).build();
  }

  private static Instant at(String hhmm) {
    return Instant.parse("2026-11-20T" + hhmm + ":00Z");
  }

  /**
   * Raw input, one micro-batch per file: hours 0-3 (with bad records), 4-6, then late readings and events for
   * hours 1-2 (final by then: the stream merges them as late), then hours 7-10; streamed into MariaDB.
   */
  @BeforeAll
  void streamTheInput() throws Exception {
    mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword()), true);
    Path readingsDir = tmp.resolve("input/silo-readings");
    Path eventsDir = tmp.resolve("input/activity-events");

    r0 = readings(0, 4);
    r1 = readings(4, 7);
    late =
        List.of(new Oracle.Reading(1, at("01:15"), new BigDecimal("5000.000")),
            new Oracle.Reading(3, at("02:59").plusSeconds(59).plusMillis(999), new BigDecimal("-1.005")),
            new Oracle.Reading(4, at("01:30"), new BigDecimal("12.345"))); // silo 4 only ever reports late
    r3 = readings(7, 11);
    List<String> f0 = new ArrayList<>(json(r0));
    f0.addAll(10, List.of(
        "{\"silo_id\": 2, \"ts\": \"2026-11-20T02:10:00Z\", \"value\": \"abc\"}",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T02:20:00Z\", \"value\": NaN}",
        "{not json",
        "{\"silo_id\": 1, \"value\": 3.5}",
        "{\"silo_id\": 2, \"ts\": \"2999-01-01T00:00:00Z\", \"value\": 1.0}"));
    f1 = new ArrayList<>(json(r1));
    f1.add(3, "{\"silo_id\": \"two\", \"ts\": \"2026-11-20T04:10:00Z\", \"value\": 3.5}");
    InputFiles.write(readingsDir, "readings-0.jsonl", f0);
    InputFiles.write(readingsDir, "readings-1.jsonl", f1);
    InputFiles.write(readingsDir, "readings-2-late.jsonl", json(late));
    InputFiles.write(readingsDir, "readings-3.jsonl", json(r3));

    List<Oracle.Event> e0 = events(0, 4);
    List<Oracle.Event> e1 = events(4, 7);
    List<Oracle.Event> lateEvents =
        List.of(new Oracle.Event("items", "acc-1", at("01:07")), new Oracle.Event("items", "acc-1", at("01:07")),
            new Oracle.Event("tasks", "acc-9", at("02:44")));
    List<Oracle.Event> e3 = events(7, 11);
    List<String> g0 = new ArrayList<>(e0.stream().map(Oracle.Event::json).toList());
    g0.addAll(5, List.of(
        "{\"record_type\": \"gadgets\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T02:30:00Z\"}",
        "{\"record_type\": \"items\", \"account_id\": \"\", \"ts\": \"2026-11-20T03:10:00Z\"}",
        "[1, 2]"));
    InputFiles.write(eventsDir, "events-0.jsonl", g0);
    InputFiles.write(eventsDir, "events-1.jsonl", e1.stream().map(Oracle.Event::json).toList());
    InputFiles.write(eventsDir, "events-2-late.jsonl", lateEvents.stream().map(Oracle.Event::json).toList());
    InputFiles.write(eventsDir, "events-3.jsonl", e3.stream().map(Oracle.Event::json).toList());

    Wiring.stream(StreamConfig.from(Settings.of(settings())), spark, CLOCK).run();

    onTime = concat(r0, r1, r3);
    all = concat(onTime, late);
    allEvents = concat(concat(e0, e1, e3), lateEvents);
    AggregationProgress readingsProgress = progress(Pipeline.SILO_READINGS);
    AggregationProgress eventsProgress = progress(Pipeline.ACTIVITY_EVENTS);
    fb = readingsProgress.finalizedBefore();
    fbEvents = eventsProgress.finalizedBefore();
    streamed = snapshot();
  }

  @Test
  @Order(1)
  void theStreamCountedEveryRecordTheLateOnesMergedIntoTheirHours() throws Exception {
    AggregationProgress readingsProgress = progress(Pipeline.SILO_READINGS);
    AggregationProgress eventsProgress = progress(Pipeline.ACTIVITY_EVENTS);
    assertEquals(at("10:00"), fb);
    assertEquals(3, readingsProgress.lateTotal(), "the stream merged the late readings, counted as late");
    assertEquals(3, eventsProgress.lateTotal(), "the stream merged the late events, counted as late");
    assertEquals(MySqlTables.rounded(Oracle.hourly(all)), MySqlTables.hourly(mysql, h -> true), "every valid reading counted once");
    assertEquals(Oracle.buckets(allEvents), MySqlTables.buckets(mysql, b -> true));
    assertEquals(3, MySqlTables.count(mysql, "SELECT SUM(late_count) FROM silo_hourly_aggregates"));
    assertEquals(3, MySqlTables.count(mysql, "SELECT COUNT(*) FROM silo_hourly_aggregates WHERE revised_at IS NOT NULL"),
        "three hours revised: silo 1 hour 1, silo 3 hour 2, silo 4 hour 1");
    assertEquals(3 * 4, MySqlTables.count(mysql, "SELECT SUM(late_count) FROM bucket_counts"), "3 late events in 4 bucket sizes");
    assertEquals(0, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE kind <> 'bad'"));
  }

  @Test
  @Order(2)
  void hoursTheStreamWroteWithoutLateDataAreUnchanged() throws Exception {
    List<BackfillJob.Result> first =
        backfill(Map.of("backfill.from", at("03:00").toString(), "backfill.to", at("06:00").toString(),
            "backfill.chunk", "1h"));
    assertEquals(streamed.hourly, snapshot().hourly, "hours 3-5 recomputed: same rows, same exact sums");
    assertEquals(streamed.buckets, snapshot().buckets);
    BackfillJob.Result firstReadings = first.get(0);
    assertEquals(3, firstReadings.chunks());
    assertEquals(count(onTime, at("03:00"), at("06:00")), firstReadings.records());
    assertEquals(9, firstReadings.rows(), "3 silos x 3 hours");
    assertEquals(1 + 2, firstReadings.bad(), "04:10 in range, plus the 2 records without a timestamp");
    assertEquals(List.of(), firstReadings.skippedChunks());

  }

  @Test
  @Order(3)
  void upToFinalizedBeforeTheTablesEqualTheOracleAndTheHoursAreClosedForRevision() throws Exception {
    toFinalizedBefore = backfill(Map.of("backfill.from", DAY.toString(), "backfill.chunk", "4h"));
    List<BackfillJob.Result> second = toFinalizedBefore;
    assertEquals(fb, second.get(0).to(), "--to defaults to finalized_before");
    assertEquals(fbEvents, second.get(1).to());
    assertEquals(3, second.get(0).chunks(), "[0, 4), [4, 8), [8, 10)");
    assertEquals(MySqlTables.rounded(Oracle.hourly(before(all, fb))), MySqlTables.hourly(mysql, h -> h.hour().isBefore(fb)),
        "final hours = the oracle over all valid readings, late ones included");
    backfilled = snapshot();
    assertEquals(streamed.hourly, backfilled.hourly, "the stream had merged the late readings already: no change");
    assertTrue(backfilled.hourly.containsKey("4|2026-11-20T01:00:00"), "a silo seen only in late data");
    assertEquals(Oracle.buckets(before(allEvents, fbEvents)), MySqlTables.buckets(mysql, b -> b.start().isBefore(fbEvents)));
    assertEquals(streamed.buckets, backfilled.buckets);
    assertMinuteBucketsAddUp(before(allEvents, fbEvents), fbEvents);
    assertEquals(fb, progress(Pipeline.SILO_READINGS).closedBefore(), "the backfilled hours are closed for revision");
    assertEquals(fbEvents, progress(Pipeline.ACTIVITY_EVENTS).closedBefore());
    assertEquals(0, MySqlTables.count(mysql, "SELECT COUNT(*) FROM silo_hourly_aggregates WHERE hour_start < '2026-11-20 10:00:00'"
        + " AND (revised_at <> '2026-11-25 00:00:00' OR late_count <> 0)"), "rewritten hours: revised now, late count 0");
  }

  @Test
  @Order(4)
  void badRecordsAreCountedByReasonAndQuarantinedOnce() throws Exception {
    List<BackfillJob.Result> second = toFinalizedBefore;
    assertEquals(Map.of("wrong type: value", 1L, "non-finite value", 1L, "wrong type: silo_id", 1L,
        "unparseable JSON", 1L, "missing field: ts", 1L), second.get(0).badByReason());
    assertEquals(List.of(
            "bad|2026-11-20T02:10|wrong type: value must be a number, got string \"abc\"",
            "bad|2026-11-20T02:20|non-finite value: NaN",
            "bad|2026-11-20T04:10|wrong type: silo_id must be a non-negative integer, got \"two\"",
            "bad|null|missing field: ts",
            "bad|null|unparseable JSON"),
        backfillQuarantine(Pipeline.SILO_READINGS));
    assertEquals(3, backfillQuarantine(Pipeline.ACTIVITY_EVENTS).size(), "gadgets, empty account, [1, 2]");
    assertEquals(0, MySqlTables.count(mysql, "SELECT count(*) FROM quarantine WHERE kind <> 'bad'"), "late records are not quarantined");

  }

  @Test
  @Order(5)
  void aSecondRunChangesNothing() throws Exception {
    backfill(Map.of("backfill.from", DAY.toString(), "backfill.chunk", "4h"));
    assertEquals(backfilled, snapshot());

  }

  /** Input that lacks records the stream counted (raw files moved away): chunks are skipped, not emptied. */
  @Test
  @Order(6)
  void inputWithFewerRecordsThanTheTablesSkipsItsChunks() throws Exception {
    Files.createDirectories(tmp.resolve("partial/silo-readings"));
    InputFiles.write(tmp.resolve("partial/silo-readings"), "readings-1.jsonl", f1);
    List<BackfillJob.Result> partial = backfill(Map.of("backfill.from", DAY.toString(), "backfill.chunk", "4h",
        "backfill.pipelines", "silo-readings", "input.dir", tmp.resolve("partial").toString()));
    assertEquals(List.of("2026-11-20T00:00Z..2026-11-20T04:00Z", "2026-11-20T04:00Z..2026-11-20T08:00Z",
        "2026-11-20T08:00Z..2026-11-20T10:00Z"), partial.get(0).skippedChunks());
    assertEquals(backfilled.hourly, snapshot().hourly);

  }

  /**
   * The same records as CSV (reordered and quoted columns in one file) give the same tables; CSV bad rows are
   * counted with their reasons and replace the JSON run's backfill quarantine rows of these chunks.
   */
  @Test
  @Order(7)
  void csvInputGivesTheSameTables() throws Exception {
    Path csv = tmp.resolve("csv");
    List<String> c0 = new ArrayList<>(List.of("silo_id,ts,value"));
    concat(r0, late).forEach(r -> c0.add(r.siloId() + "," + r.ts() + "," + r.value().toPlainString()));
    c0.addAll(List.of("x,2026-11-20T02:10:00Z,1", "2,2026-11-20T02:11:00Z,abc", "3,2026-11-20T02:12:00Z",
        "1,2026-11-20T02:13:00Z,NaN", "\"1,2026-11-20T02:14:00Z,1", ""));
    List<String> c1 = new ArrayList<>(List.of("\"ts\",\"value\",\"silo_id\",\"unit\""));
    concat(r1, r3).forEach(r -> c1.add("\"" + r.ts() + "\", " + r.value().toPlainString() + " ," + r.siloId() + ",t"));
    InputFiles.write(csv.resolve("silo-readings"), "readings-a.csv", c0);
    InputFiles.write(csv.resolve("silo-readings"), "readings-b.csv", c1);
    List<String> d0 = new ArrayList<>(List.of("record_type,account_id,ts"));
    allEvents.forEach(e -> d0.add(e.recordType() + "," + e.accountId() + "," + e.ts()));
    d0.addAll(List.of("widgets,acc-1,2026-11-20T02:30:00Z", "items,,2026-11-20T03:10:00Z"));
    InputFiles.write(csv.resolve("activity-events"), "events.csv", d0);
    List<BackfillJob.Result> fromCsv = backfill(Map.of("backfill.from", DAY.toString(), "backfill.chunk", "4h",
        "backfill.format", "csv", "input.dir", csv.toString()));
    Snapshot csvTables = snapshot();
    assertEquals(backfilled.hourly, csvTables.hourly, "CSV and JSON give the same aggregates");
    assertEquals(backfilled.buckets, csvTables.buckets);
    assertEquals(Map.of("wrong type: silo_id", 1L, "wrong type: value", 1L, "missing field: value", 1L,
        "non-finite value", 1L, "unparseable CSV", 1L), fromCsv.get(0).badByReason());
    assertEquals(5, fromCsv.get(0).bad());
    assertEquals(1, fromCsv.get(0).untimedBad());
    assertEquals(count(before(all, fb), DAY, fb), fromCsv.get(0).records());
    assertEquals(List.of(
            "bad|2026-11-20T02:10|wrong type: silo_id must be a non-negative integer, got x",
            "bad|2026-11-20T02:11|wrong type: value must be a number, got abc",
            "bad|2026-11-20T02:12|missing field: value",
            "bad|2026-11-20T02:13|non-finite value: NaN",
            "bad|null|missing field: ts", // the JSON runs' untimed rows come from other files: kept
            "bad|null|unparseable CSV: unterminated quoted field 1",
            "bad|null|unparseable JSON"),
        backfillQuarantine(Pipeline.SILO_READINGS));
    assertEquals(Map.of("unknown record_type", 1L, "missing field: account_id", 1L), fromCsv.get(1).badByReason());
    assertEquals(5, MySqlTables.count(mysql, "SELECT count(*) FROM quarantine WHERE batch_id = -1 AND source LIKE '%readings-a.csv'"));
  }

  /**
   * A reading for an hour the backfill closed arrives: the stream keeps it aside as too late (the backfill's rows
   * stay exact), and the next backfill of its hours takes it in.
   */
  @Test
  @Order(8)
  void aReadingForAClosedHourIsKeptTooLateUntilTheNextBackfillTakesItIn() throws Exception {
    Oracle.Reading tooLate = new Oracle.Reading(2, at("05:05"), new BigDecimal("100.5"));
    InputFiles.write(tmp.resolve("input/silo-readings"), "readings-4-too-late.jsonl", json(List.of(tooLate)));
    Map<String, String> hourlyBefore = snapshot().hourly;
    Wiring.stream(StreamConfig.from(Settings.of(settings())), spark, CLOCK).run();
    assertEquals(1, progress(Pipeline.SILO_READINGS).tooLateTotal());
    assertEquals(hourlyBefore, snapshot().hourly, "nothing added to the backfilled hours");
    assertEquals(List.of("too_late|too late: hour 2026-11-20T05:00Z: a backfill closed the hours before"
        + " 2026-11-20T10:00:00Z for revision"), rows("SELECT kind, reason FROM quarantine WHERE kind = 'too_late'", 2)
        .keySet().stream().toList());

    backfill(Map.of("backfill.from", DAY.toString(), "backfill.chunk", "4h", "backfill.pipelines", "silo-readings"));
    assertEquals(MySqlTables.rounded(Oracle.hourly(before(concat(all, List.of(tooLate)), fb))),
        MySqlTables.hourly(mysql, h -> h.hour().isBefore(fb)), "the backfill took the too-late reading in");
  }

  /** Refusals through the command line: exit 2, nothing written. Runs last: it changes the progress row. */
  @Test
  @Order(9)
  void theCommandRefusesHoursThatAreNotFinalAndTheParquetStore() throws Exception {
    Map<String, String> m = settings();
    m.put("backfill.pipelines", "silo-readings");
    m.put("backfill.from", "2026-11-20");
    m.put("backfill.to", "2026-11-20T11:00:00Z");
    Snapshot before = snapshot();
    assertEquals(Main.USAGE, Main.run(args("backfill", m)), "a --to after finalized_before is bad usage");
    Map<String, String> parquet = new HashMap<>(m);
    parquet.put("sink.type", "parquet");
    parquet.put("backfill.to", "2026-11-20T10:00:00Z");
    assertEquals(Main.USAGE, Main.run(args("backfill", parquet)), "the Parquet layout has no backfill");
    assertEquals(before, snapshot());
  }

  // --- helpers ---

  private static String[] args(String command, Map<String, String> settings) {
    List<String> a = new ArrayList<>(List.of(command));
    settings.forEach((k, v) -> {
      a.add("--conf");
      a.add(k + "=" + v);
    });
    return a.toArray(String[]::new);
  }

  @SafeVarargs
  private static <T> List<T> concat(List<T>... lists) {
    return TestData.concat(lists);
  }

  private static List<String> json(List<Oracle.Reading> readings) {
    return TestData.json(readings);
  }

  private static List<Oracle.Reading> before(List<Oracle.Reading> readings, Instant end) {
    return readings.stream().filter(r -> r.ts().isBefore(end)).toList();
  }

  private static List<Oracle.Event> before(Iterable<Oracle.Event> events, Instant end) {
    List<Oracle.Event> out = new ArrayList<>();
    events.forEach(e -> {
      if (e.ts().isBefore(end)) {
        out.add(e);
      }
    });
    return out;
  }

  private static long count(List<Oracle.Reading> readings, Instant from, Instant to) {
    return readings.stream().filter(r -> !r.ts().isBefore(from) && r.ts().isBefore(to)).count();
  }

  private static AggregationProgress progress(Pipeline p) {
    return new MySqlProgressStore(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword())).last(p)
        .orElseThrow();
  }





  /** For every key and hour before {@code end}: 1, 5 and 15-minute buckets add up to the 60-minute one and the raw count. */
  private static void assertMinuteBucketsAddUp(List<Oracle.Event> events, Instant end) throws Exception {
    Map<String, Long> raw = new TreeMap<>();
    for (Oracle.Event e : events) {
      raw.merge(e.recordType() + "|" + e.accountId() + "|" + e.ts().truncatedTo(ChronoUnit.HOURS), 1L, Long::sum);
    }
    Map<Integer, Map<String, Long>> bySize = new TreeMap<>();
    MySqlTables.buckets(mysql, b -> b.start().isBefore(end)).forEach((k, v) -> bySize.computeIfAbsent(k.minutes(), x -> new TreeMap<>())
        .merge(k.recordType() + "|" + k.accountId() + "|" + k.start().truncatedTo(ChronoUnit.HOURS), v, Long::sum));
    assertEquals(List.of(1, 5, 15, 60), List.copyOf(bySize.keySet()));
    bySize.forEach((minutes, perHour) -> assertEquals(raw, perHour, minutes + "-minute buckets per hour = raw count"));
  }

  /** The backfill's quarantine rows of a pipeline: kind, event time (minutes) and reason, sorted. */
  private static List<String> backfillQuarantine(Pipeline p) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT kind, event_ts, reason FROM quarantine WHERE batch_id = -1 AND pipeline = '"
            + p.id + "'")) {
      while (rs.next()) {
        LocalDateTime t = rs.getObject(2, LocalDateTime.class);
        String reason = rs.getString(3);
        // Jackson's wording of a parse error is not ours to pin down
        reason = reason.startsWith("unparseable JSON") ? "unparseable JSON" : reason;
        out.add(rs.getString(1) + "|" + (t == null ? "null" : t.toString().substring(0, 16)) + "|" + reason);
      }
    }
    out.sort(null);
    return out;
  }

  /** Every stored column but updated_at / ids / quarantined_at, keyed; equal snapshots mean equal tables. */
  private record Snapshot(Map<String, String> hourly, Map<String, String> buckets, List<String> quarantine) {}

  private static Snapshot snapshot() throws Exception {
    return new Snapshot(
        rows("SELECT silo_id, hour_start, avg_value, min_value, max_value, sum_value, record_count, sum_exact,"
            + " min_exact, max_exact FROM silo_hourly_aggregates", 2),
        rows("SELECT record_type, account_id, bucket_minutes, bucket_start, record_count FROM bucket_counts", 4),
        List.copyOf(rows("SELECT pipeline, batch_id, kind, reason, event_ts, line, source, id FROM quarantine", 8)
            .keySet().stream().map(k -> k.substring(0, k.lastIndexOf('|'))).sorted().toList()));
  }

  /** Rows as "k1|k2|..." -> "v1|v2|...", the first {@code keyColumns} columns being the key. */
  private static Map<String, String> rows(String sql, int keyColumns) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder k = new StringBuilder();
        StringBuilder v = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          Object o = rs.getObject(i);
          String s = o instanceof LocalDateTime t ? t.toString() + (t.getSecond() == 0 && t.getNano() == 0 ? ":00" : "")
              : String.valueOf(o);
          (i <= keyColumns ? k : v).append(s).append('|');
        }
        String key = k.substring(0, k.length() - 1);
        assertNull(out.put(key, v.toString()), "duplicate key " + key);
      }
    }
    return out;
  }
}
