package io.siloreports.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import io.siloreports.db.SchemaCheck;
import io.siloreports.model.Pipeline;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.JobStores;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.hot.RawHotReadings;
import io.siloreports.cli.ReportConfig;
import io.siloreports.report.output.ReportLinks;
import io.siloreports.cli.ReportOutputs;
import io.siloreports.report.ReportRequest;
import io.siloreports.report.output.S3ReportOutput;
import io.siloreports.report.SiloReport;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.model.AggregationProgress;
import io.siloreports.store.MySqlAggregateStore;
import io.siloreports.stream.MicroBatchAggregator;
import io.siloreports.cli.StreamConfig;
import io.siloreports.stream.StreamJob;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import io.siloreports.testing.servers.SharedTestServers;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production path with real servers started by the test harness: readings and events produced to a Kafka
 * (KRaft) broker, streamed into MariaDB, reports built from MySQL aggregates plus the hot part read back from
 * Kafka, uploaded to an S3-compatible server (S3Proxy) and fetched through their presigned URL with a plain
 * HTTP client. Every number is checked against a plain-Java computation over what was produced.
 */
class ProductionPathTest {
  private static final Duration LATENESS = Duration.ofMinutes(30);
  /** Event times are recent: Kafka's own timestamps (production time) bound the report's hot read. */
  private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(12, ChronoUnit.HOURS);
  private static final String[] TYPES = {"items", "scoreResults", "tasks", "evaluations"};

  private static EmbeddedMySql mysql;
  private static EmbeddedS3 s3;
  private static EmbeddedKafka kafka;
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(21);
  @TempDir Path tmp;

  @BeforeAll
  static void servers() {
    mysql = SharedTestServers.mySql();
    s3 = SharedTestServers.s3();
    kafka = SharedTestServers.kafka();
  }

  private Map<String, String> settings(String suffix) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source.type", "kafka");
    m.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    m.put("source.kafka.topic.silo-readings", "silo-readings-" + suffix);
    m.put("source.kafka.topic.activity-events", "activity-events-" + suffix);
    m.put("source.kafka.maxOffsetsPerTrigger", "400");
    m.put("sink.type", "mysql");
    m.put("db.url", mysql.jdbcUrl());
    m.put("db.user", mysql.appUser());
    m.put("db.password", mysql.appPassword());
    m.put("jobstore.url", "${db.url}");
    m.put("jobstore.user", "${db.user}");
    m.put("jobstore.password", "${db.password}");
    m.put("checkpoint.dir", tmp.resolve("checkpoints").toString());
    m.put("stream.allowed-lateness", "30m");
    m.put("report.output-dir", "s3a://" + s3.bucket() + "/it-" + suffix);
    m.put("report.s3.endpoint", s3.endpoint().toString());
    m.put("report.s3.path-style", "true");
    m.put("report.s3.access-key", s3.accessKey());
    m.put("report.s3.secret-key", s3.secretKey());
    m.put("report.job-id", "unused");
    return m;
  }

  private List<Oracle.Reading> readings(int fromHour, int toHour) {
    List<Oracle.Reading> out = new ArrayList<>();
    for (int silo = 1; silo <= 3; silo++) {
      for (Instant t = DAY.plus(fromHour, ChronoUnit.HOURS); t.isBefore(DAY.plus(toHour, ChronoUnit.HOURS));
          t = t.plusSeconds(120 + rnd.nextInt(120))) {
        out.add(new Oracle.Reading(silo, t, BigDecimal.valueOf(rnd.nextInt(2_000_000) - 500_000, 4)));
      }
    }
    // Produced in time order, as devices send them: out of order by more than the allowed lateness they
    // would be late.
    out.sort(java.util.Comparator.comparing(Oracle.Reading::ts));
    return out;
  }

  private List<Oracle.Event> events(int fromHour, int toHour) {
    List<Oracle.Event> out = new ArrayList<>();
    for (int i = 0; i < 150 * (toHour - fromHour); i++) {
      out.add(new Oracle.Event(TYPES[rnd.nextInt(4)], "acc-" + rnd.nextInt(3),
          DAY.plusMillis((long) ((fromHour + rnd.nextDouble() * (toHour - fromHour)) * 3600_000L))));
    }
    out.sort(java.util.Comparator.comparing(Oracle.Event::ts));
    return out;
  }

  private static void produce(String topic, List<String> lines) {
    kafka.send(topic, lines);
  }

  private void stream(Settings s) throws Exception {
    StreamConfig config = StreamConfig.from(s);
    new StreamJob(config, spark, config.sink().create(spark), Clock.systemUTC()).runToEnd();
  }

  @Test
  void kafkaToMySqlToS3ReportsAreExactThroughRestartsReplaysAndLag() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Settings s = Settings.of(settings(suffix));
    String readingsTopic = "silo-readings-" + suffix;
    String eventsTopic = "activity-events-" + suffix;
    kafka.createTopic(readingsTopic, 3);
    kafka.createTopic(eventsTopic, 1); // one partition: events stay in event-time order (see README on skew)
    SchemaCheck.requireCurrent(SinkConfigs.db(s), true);
    truncateAll();

    List<Oracle.Reading> counted = new ArrayList<>();
    List<Oracle.Event> countedEvents = new ArrayList<>();
    // 1. Hours 0-3 with bad records, streamed (available-now, several micro-batches of 400 offsets).
    List<Oracle.Reading> r1 = readings(0, 4);
    counted.addAll(r1);
    List<String> lines = new ArrayList<>(r1.stream().map(Oracle.Reading::json).toList());
    lines.add("{\"silo_id\": 1, \"ts\": \"oops\", \"value\": 1}");
    lines.add("{not json");
    lines.add("{\"silo_id\": 2, \"ts\": \"" + DAY.plusSeconds(60) + "\", \"value\": Infinity}");
    produce(readingsTopic, lines);
    List<Oracle.Event> e1 = events(0, 4);
    countedEvents.addAll(e1);
    List<String> eventLines = new ArrayList<>(e1.stream().map(Oracle.Event::json).toList());
    eventLines.add("{\"record_type\": \"gadgets\", \"account_id\": \"acc-1\", \"ts\": \"" + DAY + "\"}");
    produce(eventsTopic, eventLines);
    stream(s);
    assertMySqlEqualsOracle(counted, countedEvents);
    AggregationProgress p1 = MySqlAggregateStore.readProgress(SinkConfigs.db(s), Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(3, p1.badTotal());
    assertEquals(0, p1.lateTotal());
    assertEquals(1, MySqlAggregateStore.readProgress(SinkConfigs.db(s), Pipeline.ACTIVITY_EVENTS).orElseThrow().badTotal());
    assertTrue(MySqlAggregateStore.readProgress(SinkConfigs.db(s), Pipeline.ACTIVITY_EVENTS).orElseThrow().batchId() >= 1,
        "maxOffsetsPerTrigger split the events into several micro-batches");

    // 2. More data, and a restart from the checkpoint.
    List<Oracle.Reading> r2 = readings(4, 6);
    counted.addAll(r2);
    produce(readingsTopic, r2.stream().map(Oracle.Reading::json).toList());
    List<Oracle.Event> e2 = events(4, 6);
    countedEvents.addAll(e2);
    produce(eventsTopic, e2.stream().map(Oracle.Event::json).toList());
    stream(s);
    assertMySqlEqualsOracle(counted, countedEvents);

    // 3. A replayed micro-batch (at-least-once foreachBatch) is fenced by its id in the same transaction.
    MySqlAggregateStore store = new MySqlAggregateStore(spark, SinkConfigs.db(s), 2);
    AggregationProgress p2 = store.progress(Pipeline.SILO_READINGS).orElseThrow();
    MicroBatchAggregator replay =
        new MicroBatchAggregator(Pipeline.SILO_READINGS, store, ValidationRules.DEFAULT, LATENESS, Clock.systemUTC());
    assertTrue(replay.process(Rows.lines(spark, r2.stream().map(Oracle.Reading::json).toList()), p2.batchId()).skipped());
    assertMySqlEqualsOracle(counted, countedEvents);

    // 4. The stream lags: hours 6-7 and late readings for hour 1 are in Kafka but not streamed.
    Instant finalizedBefore = p2.finalizedBefore();
    assertTrue(finalizedBefore.isAfter(DAY.plus(2, ChronoUnit.HOURS)), "hour 1 is final: " + finalizedBefore);
    List<Oracle.Reading> r3 = readings(6, 8);
    counted.addAll(r3);
    List<Oracle.Reading> late = List.of(new Oracle.Reading(2, DAY.plus(Duration.ofMinutes(75)), new BigDecimal("777.7")));
    List<String> l3 = new ArrayList<>(r3.stream().map(Oracle.Reading::json).toList());
    l3.addAll(late.stream().map(Oracle.Reading::json).toList());
    produce(readingsTopic, l3);

    ReportJob lagging = runReport(s, suffix, "lagging-" + suffix, counted, Duration.ofMinutes(15));
    assertTrue(lagging.s3Key().endsWith("it-" + suffix + "/reports/lagging-" + suffix + "/silo_data_report.xlsx"),
        lagging.s3Key());

    // 5. The stream catches up (the late reading is quarantined, not counted); the report stays exact.
    stream(s);
    assertMySqlEqualsOracle(counted, countedEvents);
    assertEquals(1, MySqlAggregateStore.readProgress(SinkConfigs.db(s), Pipeline.SILO_READINGS).orElseThrow().lateTotal());
    assertEquals(1, count("SELECT count(*) FROM quarantine WHERE kind = 'late' AND pipeline = 'silo-readings'"));
    ReportJob caughtUp = runReport(s, suffix, "caught-up-" + suffix, counted, Duration.ofSeconds(2));

    // 6. A presigned URL lives minutes; status hands out a fresh one once it expired.
    Thread.sleep(3000);
    try (ReportJobStore jobs = JobStores.open(JobStores.jdbc(s));
        S3ReportOutput out = new S3ReportOutput(ReportOutputs.s3(s.with(Map.of("report.presign-ttl", "15m"))))) {
      ReportJob fresh = new ReportLinks(jobs, out, Clock.systemUTC()).current(caughtUp.jobId()).orElseThrow();
      assertNotEquals(caughtUp.s3Url(), fresh.s3Url());
      assertEquals(200, fetch(fresh.s3Url()).statusCode());
      // and when the object is gone, the job is EXPIRED
      s3.s3Client().deleteObject(b -> b.bucket(s3.bucket()).key(fresh.s3Key()));
      assertEquals(JobStatus.EXPIRED, new ReportLinks(jobs, out, Clock.systemUTC()).current(caughtUp.jobId()).orElseThrow().status());
    }
  }

  @Test
  void wrongPasswordOrUnreachableS3EndTheJobFailedWithAReadableReason() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> base = settings(suffix);
    base.put("jobstore.url", "jdbc:sqlite:" + tmp.resolve("jobs.db"));
    base.remove("jobstore.user");
    base.remove("jobstore.password");
    base.put("db.migrate-on-start", "true");
    kafka.createTopic("silo-readings-" + suffix, 1);

    Map<String, String> wrongPassword = new HashMap<>(base);
    wrongPassword.put("db.password", "not-the-password");
    assertEquals(1, runReportCommand(wrongPassword, "bad-password-" + suffix));
    ReportJob j1 = sqliteJob(base, "bad-password-" + suffix);
    assertEquals(JobStatus.FAILED, j1.status());
    assertTrue(j1.errorMessage().contains("Access denied for user"), j1.errorMessage());

    Map<String, String> noS3 = new HashMap<>(base);
    noS3.put("report.s3.endpoint", "http://127.0.0.1:1");
    assertEquals(1, runReportCommand(noS3, "no-s3-" + suffix));
    ReportJob j2 = sqliteJob(base, "no-s3-" + suffix);
    assertEquals(JobStatus.FAILED, j2.status());
    assertTrue(j2.errorMessage().contains("cannot reach S3"), j2.errorMessage());
  }

  @Test
  void theHotPartCanComeFromTheMySqlRawTable() throws Exception {
    String database = "hot_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = settings(database);
    m.put("db.url", mysql.jdbcUrl(database));
    m.put("report.hot-source", "mysql");
    Settings s = Settings.of(m);
    SchemaCheck.requireCurrent(SinkConfigs.db(s), true);
    List<Oracle.Reading> all = readings(0, 5);
    try (Connection c = SinkConfigs.db(s).connect();
        java.sql.PreparedStatement ins = c.prepareStatement("INSERT INTO silo_readings (silo_id, ts, value) VALUES (?, ?, ?)")) {
      for (Oracle.Reading r : all) {
        ins.setInt(1, r.siloId());
        ins.setObject(2, LocalDateTime.ofInstant(r.ts(), ZoneOffset.UTC));
        ins.setBigDecimal(3, r.value());
        ins.addBatch();
      }
      ins.executeBatch();
    }
    // No stream ran on this database: every hour comes from the raw table.
    ReportConfig config = ReportConfig.from(s.with(Map.of("report.job-id", "hot-mysql")));
    try (ReportJobStore jobs = JobStores.open(config.jobStore())) {
      jobs.migrate();
      Instant cutoff = DAY.plus(Duration.ofMinutes(200));
      SiloReport.Outcome outcome =
          new SiloReport(spark, config.sink().create(spark), new io.siloreports.report.hot.MySqlHotReadings(spark, config.db()),
              jobs, new SxssfWorkbookWriter(), ReportOutputs.create(config), 31, Duration.ofMinutes(30), Clock.systemUTC())
              .run("hot-mysql", new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), cutoff));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      Path file = tmp.resolve("hot-mysql.xlsx");
      Files.write(file, fetch(outcome.url()).body());
      WorkbookReader.assertEqualsOracle(
          Oracle.hourly(all.stream().filter(r -> r.ts().isBefore(cutoff)).toList()), WorkbookReader.read(file).rows());
    }
  }

  private int runReportCommand(Map<String, String> settings, String jobId) throws Exception {
    List<String> args = new ArrayList<>();
    settings.forEach((k, v) -> {
      if (!k.equals("report.job-id")) {
        args.add("--conf");
        args.add(k + "=" + v);
      }
    });
    args.add("--job-id");
    args.add(jobId);
    return io.siloreports.cli.ReportCommand.run(args.toArray(String[]::new));
  }

  private ReportJob sqliteJob(Map<String, String> settings, String jobId) {
    try (ReportJobStore jobs = JobStores.open(settings.get("jobstore.url"), null, null)) {
      return jobs.find(jobId).orElseThrow();
    }
  }

  /** Runs a report the way ReportCommand wires it, fetches it by its URL and compares every cell. */
  private ReportJob runReport(Settings s, String suffix, String jobId, List<Oracle.Reading> counted, Duration ttl)
      throws Exception {
    Settings rs = s.with(Map.of("report.job-id", jobId, "report.presign-ttl", ttl.toSeconds() + "s"));
    ReportConfig config = ReportConfig.from(rs);
    try (ReportJobStore jobs = JobStores.open(config.jobStore())) {
      jobs.migrate();
      Instant cutoff = Instant.now();
      SiloReport report =
          new SiloReport(spark, config.sink().create(spark),
              new RawHotReadings(spark, config.source().create(), config.rules(), Clock.systemUTC()), jobs,
              new SxssfWorkbookWriter(), ReportOutputs.create(config), 31, Duration.ofMinutes(30), Clock.systemUTC());
      SiloReport.Outcome outcome =
          report.run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), cutoff));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      ReportJob job = jobs.find(jobId).orElseThrow();
      HttpResponse<byte[]> response = fetch(job.s3Url());
      assertEquals(200, response.statusCode(), "presigned URL fetch");
      Path file = tmp.resolve(jobId + ".xlsx");
      Files.write(file, response.body());
      WorkbookReader.Workbook wb = WorkbookReader.read(file);
      WorkbookReader.assertEqualsOracle(
          Oracle.hourly(counted.stream().filter(r -> r.ts().isBefore(cutoff)).toList()), wb.rows());
      return job;
    }
  }

  private static HttpResponse<byte[]> fetch(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void truncateAll() {
    mysql.execute("DELETE FROM silo_hourly_aggregates", "DELETE FROM bucket_counts",
        "DELETE FROM aggregation_progress", "DELETE FROM quarantine");
  }

  private static long count(String sql) throws Exception {
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The MySQL tables, read with plain JDBC, against the oracle. */
  private static void assertMySqlEqualsOracle(List<Oracle.Reading> readings, List<Oracle.Event> events) throws Exception {
    TreeMap<Oracle.HourKey, Oracle.Hour> expected = Oracle.hourly(readings);
    Map<Oracle.HourKey, WorkbookReader.Line> got = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
            + " record_count FROM silo_hourly_aggregates")) {
      while (rs.next()) {
        got.put(new Oracle.HourKey(rs.getInt(1), rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC)),
            new WorkbookReader.Line(rs.getBigDecimal(3), rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6),
                rs.getLong(7)));
      }
    }
    WorkbookReader.assertEqualsOracle(expected, got);
    Map<Oracle.BucketKey, Long> buckets = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT record_type, account_id, bucket_minutes, bucket_start, record_count"
            + " FROM bucket_counts")) {
      while (rs.next()) {
        buckets.put(new Oracle.BucketKey(rs.getString(1), rs.getString(2), rs.getInt(3),
            rs.getObject(4, LocalDateTime.class).toInstant(ZoneOffset.UTC)), rs.getLong(5));
      }
    }
    Map<Oracle.BucketKey, Long> want = new TreeMap<>(Oracle.buckets(events));
    if (!want.equals(buckets)) {
      List<String> diff = new ArrayList<>();
      want.forEach((k, v) -> {
        if (!v.equals(buckets.get(k))) {
          diff.add(k + ": expected " + v + ", MySQL has " + buckets.get(k));
        }
      });
      buckets.forEach((k, v) -> {
        if (!want.containsKey(k)) {
          diff.add(k + ": not expected, MySQL has " + v);
        }
      });
      throw new AssertionError(diff.size() + " bucket counts differ, e.g. " + diff.subList(0, Math.min(5, diff.size())));
    }
  }

  /** The {@code db.*} connection of a settings object. */
  private static final class SinkConfigs {
    static io.siloreports.db.Jdbc db(Settings s) {
      return io.siloreports.cli.StoreConfig.jdbc(s);
    }
  }
}
