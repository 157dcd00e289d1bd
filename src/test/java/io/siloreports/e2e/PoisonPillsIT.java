package io.siloreports.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile records through Kafka into MariaDB: every limit of the tables (lengths, ranges, character sets, key
 * comparison) is met by a validation rule with its own reason, or, when a rule is loosened past what the table holds,
 * by the store's refusal, which sends the records to the quarantine with the store's reason. Either way the batch
 * commits and the query goes on; what the tables hold equals the plain-Java count of the valid records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoisonPillsIT {
  private static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(3, ChronoUnit.HOURS);
  private static final String LONG_ACCOUNT = "acc-" + "x".repeat(196); // 200 characters
  private static final String MAX_ACCOUNT = "acc-" + "y".repeat(124); // 128: the column's length

  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(31);
  @TempDir static Path tmp;
  private EmbeddedMySql mysql;
  private EmbeddedKafka kafka;
  private String suffix;
  private Map<String, String> profile;
  private final List<Oracle.Event> countedEvents = new ArrayList<>();
  private final List<Oracle.Reading> countedReadings = new ArrayList<>();

  @BeforeAll
  void servers() {
    mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    kafka = SharedTestServers.kafka();
    suffix = UUID.randomUUID().toString().substring(0, 8);
    profile = Profiles.kafka(Profiles.mysql(Profiles.embedded(tmp), mysql, null), kafka, suffix);
    kafka.createTopic("silo-readings-" + suffix, 1);
    kafka.createTopic("activity-events-" + suffix, 1);
    Wiring.prepareAggregates(db(), true);
  }

  private Jdbc db() {
    return new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
  }

  private void stream(Map<String, String> settings) throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(settings)), spark, Clock.systemUTC()).run();
  }

  private static String event(String type, String account, Instant ts) {
    return "{\"record_type\": \"" + type + "\", \"account_id\": \"" + account + "\", \"ts\": \"" + ts + "\"}";
  }

  @Test
  @Order(1)
  void everyStoreLimitIsARuleWithItsReasonAndTheValidRecordsAreStoredAsTheyCame() throws Exception {
    List<Oracle.Event> normal = TestData.events(rnd).perHour(60).hours(HOUR, 0, 1).build();
    countedEvents.addAll(normal);
    List<Oracle.Event> unusual = List.of(
        new Oracle.Event("items", "acc-\uD83D\uDE00-silo", HOUR.plusSeconds(5)), // four-byte UTF-8: stored as is
        new Oracle.Event("items", "Acc-1", HOUR.plusSeconds(6)), // differs from acc-1 in case only: its own key
        new Oracle.Event("items", "acc-1", HOUR.plusSeconds(7)),
        new Oracle.Event("tasks", "Äcc-ü", HOUR.plusSeconds(8)),
        new Oracle.Event("tasks", "Acc-u", HOUR.plusSeconds(9)), // equal to the one above under an accent-blind collation
        new Oracle.Event("items", MAX_ACCOUNT, HOUR.plusSeconds(10)));
    countedEvents.addAll(unusual);
    List<String> lines = new ArrayList<>(TestData.eventJson(normal));
    unusual.forEach(e -> lines.add(event(e.recordType(), e.accountId(), e.ts())));
    lines.add(event("items", LONG_ACCOUNT, HOUR.plusSeconds(11)));
    lines.add(event("items", "acc-\\ud800-half", HOUR.plusSeconds(12))); // an unpaired surrogate: no UTF-8 for it
    lines.add(event("items", "acc-1 ", HOUR.plusSeconds(13))); // MySQL's key ignores the trailing space
    lines.add("{\"record_type\": \"" + "r".repeat(40) + "\", \"account_id\": \"acc-1\", \"ts\": \"" + HOUR + "\"}");
    lines.add("{\"oops\": \"" + "z".repeat(900_000) + "\"}"); // near Kafka's 1 MB message limit
    kafka.send("activity-events-" + suffix, lines);

    List<Oracle.Reading> readings = TestData.readings(rnd).silos(2).hours(HOUR, 0, 1).every(60, 119).build();
    countedReadings.addAll(readings);
    List<Oracle.Reading> edge = List.of(
        new Oracle.Reading(2147483647, HOUR.plusSeconds(1), new BigDecimal("9999999999.99")),
        new Oracle.Reading(2147483647, HOUR.plusSeconds(2), new BigDecimal("-9999999999.99")));
    countedReadings.addAll(edge);
    List<String> readingLines = new ArrayList<>(TestData.json(readings));
    readingLines.addAll(TestData.json(edge));
    readingLines.add("{\"silo_id\": 2147483648, \"ts\": \"" + HOUR + "\", \"value\": 1}");
    readingLines.add("{\"silo_id\": 1, \"ts\": \"" + HOUR + "\", \"value\": 10000000000}");
    readingLines.add("{\"silo_id\": 1, \"ts\": \"" + HOUR + "\", \"value\": 1e400}");
    readingLines.add("{\"silo_id\": 1, \"ts\": \"9999-12-31T23:59:59Z\", \"value\": 1}");
    readingLines.add("{\"silo_id\": 1, \"ts\": \"0999-01-01T00:00:00Z\", \"value\": 1}");
    readingLines.add("{\"silo_id\": 1, \"ts\": \"+12345-01-01T00:00:00Z\", \"value\": 1}"); // beyond DATETIME
    kafka.send("silo-readings-" + suffix, readingLines);

    stream(profile);

    assertEquals(new TreeMap<>(Oracle.buckets(countedEvents)), MySqlTables.buckets(mysql), "stored keys are exactly the events' keys");
    assertEquals(MySqlTables.rounded(Oracle.hourly(countedReadings)), MySqlTables.hourly(mysql));
    AggregationProgress events = new MySqlProgressStore(db()).last(Pipeline.ACTIVITY_EVENTS).orElseThrow();
    assertEquals(5, events.badTotal());
    List<String> reasons = reasons("activity-events");
    assertTrue(reasons.contains("account_id too long: 200 characters (at most 128)"), reasons.toString());
    assertTrue(reasons.contains("account_id is not valid Unicode: an unpaired surrogate at character 4"),
        reasons.toString());
    assertTrue(reasons.contains("account_id ends with a space (the stored key ignores trailing spaces)"),
        reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.startsWith("unknown record_type 'rrrr")), reasons.toString());
    assertTrue(reasons.stream().anyMatch(r -> r.startsWith("missing field: record_type")), reasons.toString());
    assertEquals(6, reasons("silo-readings").size(), reasons("silo-readings").toString());
    assertEquals(1, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE event_ts IS NULL"
        + " AND line LIKE '%+12345-01-01%'"), "a time DATETIME cannot hold is kept in the line, event_ts NULL");
    assertEquals(1, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE CHAR_LENGTH(line) = 900012"), "kept whole");
  }

  /**
   * A rule loosened past the column (account ids up to 300 characters into VARCHAR(128)): MariaDB refuses the rows,
   * their events go to the quarantine with MariaDB's reason, the rest of the batch commits, the next batch follows.
   */
  @Test
  @Order(2)
  void aRecordTheStoreStillRefusesIsQuarantinedWithTheStoresReasonAndTheBatchCommits() throws Exception {
    Map<String, String> loose = new java.util.LinkedHashMap<>(profile);
    loose.put("validation.max-account-id-length", "300");
    List<Oracle.Event> normal = TestData.events(rnd).perHour(40).hours(HOUR, 1, 2).build();
    countedEvents.addAll(normal);
    List<String> lines = new ArrayList<>(TestData.eventJson(normal));
    lines.add(event("tasks", LONG_ACCOUNT, HOUR.plusSeconds(3700)));
    lines.add(event("tasks", LONG_ACCOUNT, HOUR.plusSeconds(3701)));
    kafka.send("activity-events-" + suffix, lines);
    long batchBefore = new MySqlProgressStore(db()).last(Pipeline.ACTIVITY_EVENTS).orElseThrow().batchId();

    stream(loose);

    AggregationProgress events = new MySqlProgressStore(db()).last(Pipeline.ACTIVITY_EVENTS).orElseThrow();
    assertTrue(events.batchId() > batchBefore, "the batch committed");
    assertEquals(new TreeMap<>(Oracle.buckets(countedEvents)), MySqlTables.buckets(mysql));
    List<String> refused = reasons("activity-events").stream().filter(r -> r.startsWith("refused by the store"))
        .toList();
    assertEquals(2, refused.size(), reasons("activity-events").toString());
    assertTrue(refused.get(0).contains("account_id"), refused.get(0));

    List<Oracle.Event> after = TestData.events(rnd).perHour(30).hours(HOUR, 2, 3).build();
    countedEvents.addAll(after);
    kafka.send("activity-events-" + suffix, TestData.eventJson(after));
    stream(loose);
    assertEquals(new TreeMap<>(Oracle.buckets(countedEvents)), MySqlTables.buckets(mysql), "the pipeline goes on");
  }

  /**
   * From files (a fresh checkpoint: the pipeline's progress is cleared first): a path longer than the quarantine's
   * source column, and a line longer than it keeps; both records are kept, cut and marked.
   */
  @Test
  @Order(3)
  void aSourcePathOrALineLongerThanTheColumnIsKeptCut() throws Exception {
    Path deep = tmp.resolve("in-" + "d".repeat(200)).resolve("e".repeat(200)).resolve("f".repeat(200));
    Map<String, String> files = new java.util.LinkedHashMap<>(Profiles.mysql(Profiles.embedded(tmp), mysql, null));
    files.put("input.dir", deep.toString());
    files.put("checkpoint.dir", tmp.resolve("file-checkpoints").toString());
    files.put("stream.pipelines", "silo-readings");
    String longLine = "{\"oops\": \"" + "z".repeat(1_200_000) + "\"}";
    InputFiles.write(deep.resolve("silo-readings"), "bad.jsonl", List.of("{\"silo_id\": 1}", longLine));
    mysql.execute("DELETE FROM aggregation_progress WHERE pipeline = 'silo-readings'");
    long before = MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE pipeline = 'silo-readings'");
    stream(files);
    assertEquals(before + 2, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE pipeline = 'silo-readings'"));
    assertEquals(1, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE CHAR_LENGTH(source) = 512 AND reason LIKE 'missing field%'"
        + " AND line = '{\"silo_id\": 1}'"));
    assertEquals(1, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE CHAR_LENGTH(line) = 1000000"
        + " AND line LIKE '%[... cut: the line has " + longLine.length() + " characters]'"),
        "the long line is kept, cut and marked");
  }


  private List<String> reasons(String pipeline) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT reason FROM quarantine WHERE pipeline = '" + pipeline + "'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }



}
