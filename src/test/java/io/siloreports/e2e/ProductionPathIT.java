package io.siloreports.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.Main;
import io.siloreports.cli.OutputConfig;
import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.output.ReportLinks;
import io.siloreports.output.S3ReportOutput;
import io.siloreports.report.SiloReport;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.store.MySqlProgressStore;
import io.siloreports.stream.MicroBatchAggregator;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestRules;
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
 * <p>Longer than most test classes: one stream's life over shared servers, with the oracle comparison of both tables.
 *
 * The production path with real servers started by the test harness: readings and events produced to a Kafka
 * (KRaft) broker, streamed into MariaDB, reports built from MySQL aggregates plus the hot part read back from
 * Kafka, uploaded to an S3-compatible server (S3Proxy) and fetched through their presigned URL with a plain HTTP
 * client. Every number is checked against a plain-Java computation over what was produced. One stream's life over
 * shared topics and tables, a behaviour per test, in order; then independent failure cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionPathIT {
  private static final ProgressRule.Lateness LATENESS = TestRules.LATENESS;
  /** Event times are recent: Kafka's own timestamps (production time) bound the report's hot read. */
  private static final Instant DAY = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(12, ChronoUnit.HOURS);

  private EmbeddedMySql mysql;
  private EmbeddedS3 s3;
  private EmbeddedKafka kafka;
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(21);
  @TempDir static Path tmp;
  private String suffix;
  private Map<String, String> profile;
  private final List<Oracle.Reading> counted = new ArrayList<>();
  private final List<Oracle.Event> countedEvents = new ArrayList<>();
  private ReportJob caughtUp;

  @BeforeAll
  void servers() {
    mysql = SharedTestServers.mySql();
    s3 = SharedTestServers.s3();
    kafka = SharedTestServers.kafka();
    suffix = UUID.randomUUID().toString().substring(0, 8);
    profile = Profiles.s3(Profiles.kafka(Profiles.mysql(Profiles.embedded(tmp), mysql, null), kafka, suffix), s3,
        "it-" + suffix);
    profile.put("source.kafka.maxOffsetsPerTrigger", "400");
    kafka.createTopic("silo-readings-" + suffix, 3);
    kafka.createTopic("activity-events-" + suffix, 1); // one partition: events stay in event-time order
    Wiring.prepareAggregates(db(), true);
    mysql.execute("DELETE FROM silo_hourly_aggregates", "DELETE FROM bucket_counts",
        "DELETE FROM aggregation_progress", "DELETE FROM quarantine");
  }

  private Jdbc db() {
    return new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
  }

  private List<Oracle.Reading> readings(int fromHour, int toHour) {
    // Produced in time order, as devices send them: out of order by more than the allowed lateness they would be late.
    return TestData.readings(rnd).silos(3).hours(DAY, fromHour, toHour).every(120, 239)
        .values(4, 2_000_000, -500_000).build();
  }

  private List<Oracle.Event> events(int fromHour, int toHour) {
    return TestData.events(rnd).perHour(150).hours(DAY, fromHour, toHour).build();
  }

  private void stream() throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, Clock.systemUTC()).run();
  }

  private AggregationProgress progress(Pipeline p) {
    return new MySqlProgressStore(db()).last(p).orElseThrow();
  }

  @Test
  @Order(1)
  void kafkaToMySqlCountsEveryRecordOnceAndQuarantinesBadOnes() throws Exception {
    List<Oracle.Reading> r1 = readings(0, 4);
    counted.addAll(r1);
    List<String> lines = new ArrayList<>(TestData.json(r1));
    lines.add("{\"silo_id\": 1, \"ts\": \"oops\", \"value\": 1}");
    lines.add("{not json");
    lines.add("{\"silo_id\": 2, \"ts\": \"" + DAY.plusSeconds(60) + "\", \"value\": Infinity}");
    kafka.send("silo-readings-" + suffix, lines);
    List<Oracle.Event> e1 = events(0, 4);
    countedEvents.addAll(e1);
    List<String> eventLines = new ArrayList<>(TestData.eventJson(e1));
    eventLines.add("{\"record_type\": \"gadgets\", \"account_id\": \"acc-1\", \"ts\": \"" + DAY + "\"}");
    kafka.send("activity-events-" + suffix, eventLines);
    stream();
    assertMySqlEqualsOracle();
    assertEquals(3, progress(Pipeline.SILO_READINGS).badTotal());
    assertEquals(0, progress(Pipeline.SILO_READINGS).lateTotal());
    assertEquals(1, progress(Pipeline.ACTIVITY_EVENTS).badTotal());
    assertTrue(progress(Pipeline.ACTIVITY_EVENTS).batchId() >= 1, "maxOffsetsPerTrigger split the events");
  }

  @Test
  @Order(2)
  void aRestartContinuesFromTheCheckpoint() throws Exception {
    List<Oracle.Reading> r2 = readings(4, 6);
    counted.addAll(r2);
    kafka.send("silo-readings-" + suffix, TestData.json(r2));
    List<Oracle.Event> e2 = events(4, 6);
    countedEvents.addAll(e2);
    kafka.send("activity-events-" + suffix, TestData.eventJson(e2));
    stream();
    assertMySqlEqualsOracle();
  }

  @Test
  @Order(3)
  void aReplayedMicroBatchIsFencedInTheSameTransaction() throws Exception {
    Wiring.Stores stores = Wiring.stores(io.siloreports.cli.StoreConfig.from(Settings.of(profile)), spark);
    AggregationProgress p = progress(Pipeline.SILO_READINGS);
    MicroBatchAggregator replay = new MicroBatchAggregator(Pipeline.SILO_READINGS, stores.aggregates(),
        stores.progress(), StreamConfig.from(Settings.of(profile)).rules(), LATENESS, Clock.systemUTC());
    assertTrue(replay.process(Rows.lines(spark, TestData.json(readings(4, 6))), p.batchId()).skipped());
    assertMySqlEqualsOracle();
  }

  private final List<Oracle.Reading> late =
      List.of(new Oracle.Reading(2, DAY.plus(Duration.ofMinutes(75)), new BigDecimal("777.7")));

  /**
   * While the stream lags, the late reading (for hour 1, final) and two more hours sit in Kafka past the committed
   * offsets: the report counts them already, as the stream will once it catches up (the split is on committed input,
   * not on event time), so it is exact over every reading that has arrived.
   */
  @Test
  @Order(4)
  void aReportWhileTheStreamLagsIsExact() throws Exception {
    assertTrue(progress(Pipeline.SILO_READINGS).finalizedBefore().isAfter(DAY.plus(2, ChronoUnit.HOURS)),
        "hour 1 is final");
    List<Oracle.Reading> r3 = readings(6, 8);
    counted.addAll(r3);
    counted.addAll(late);
    kafka.send("silo-readings-" + suffix, TestData.concat(TestData.json(r3), TestData.json(late)));
    ReportJob lagging = runReport("lagging-" + suffix, Duration.ofMinutes(15));
    assertTrue(lagging.s3Key().endsWith("it-" + suffix + "/reports/lagging-" + suffix + "/silo_data_report.xlsx"),
        lagging.s3Key());
  }

  @Test
  @Order(5)
  void afterCatchUpTheLateReadingIsMergedAndTheReportIncludesIt() throws Exception {
    stream();
    assertMySqlEqualsOracle();
    assertEquals(1, progress(Pipeline.SILO_READINGS).lateTotal());
    assertEquals(0, count("SELECT count(*) FROM quarantine WHERE kind <> 'bad'"));
    assertEquals(1, count("SELECT late_count FROM silo_hourly_aggregates WHERE silo_id = 2"
        + " AND hour_start = '" + java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(java.time.ZoneOffset.UTC).format(DAY.plus(Duration.ofHours(1))) + "' AND revised_at IS NOT NULL"));
    caughtUp = runReport("caught-up-" + suffix, Duration.ofSeconds(2));
  }

  @Test
  @Order(6)
  void anExpiredLinkIsRenewedAndAGoneObjectExpiresTheJob() throws Exception {
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(3)); // past the 2 s the URL was signed for
    Settings s = Settings.of(profile);
    try (ReportJobStore jobs = Wiring.jobStore(db(), false, later);
        S3ReportOutput out = new S3ReportOutput(OutputConfig.from(s).s3())) {
      ReportJob fresh = new ReportLinks(jobs, out, later).current(caughtUp.jobId()).orElseThrow();
      assertNotEquals(caughtUp.s3Url(), fresh.s3Url());
      assertEquals(200, fetch(fresh.s3Url()).statusCode());
      s3.s3Client().deleteObject(b -> b.bucket(s3.bucket()).key(fresh.s3Key()));
      assertEquals(JobStatus.EXPIRED, new ReportLinks(jobs, out, later).current(caughtUp.jobId()).orElseThrow().status());
    }
  }

  @Test
  @Order(7)
  void aWrongPasswordOrAnUnreachableS3EndTheJobFailedWithAReadableReason() throws Exception {
    Map<String, String> base = new java.util.LinkedHashMap<>(profile);
    String jobs = "jdbc:sqlite:" + tmp.resolve("jobs.db");
    base.put("jobstore.url", jobs);
    base.remove("jobstore.user");
    base.remove("jobstore.password");
    base.put("db.migrate-on-start", "true");

    Map<String, String> wrongPassword = new java.util.LinkedHashMap<>(base);
    wrongPassword.put("db.password", "not-the-password");
    assertEquals(Main.FAILED, runReportCommand(wrongPassword, "bad-password-" + suffix));
    ReportJob j1 = sqliteJob(jobs, "bad-password-" + suffix);
    assertEquals(JobStatus.FAILED, j1.status());
    assertTrue(j1.errorMessage().contains("Access denied for user"), j1.errorMessage());

    Map<String, String> noS3 = new java.util.LinkedHashMap<>(base);
    noS3.put("report.s3.endpoint", "http://127.0.0.1:1");
    assertEquals(Main.FAILED, runReportCommand(noS3, "no-s3-" + suffix));
    ReportJob j2 = sqliteJob(jobs, "no-s3-" + suffix);
    assertEquals(JobStatus.FAILED, j2.status());
    assertTrue(j2.errorMessage().contains("cannot reach S3"), j2.errorMessage());
  }

  @Test
  @Order(8)
  void theHotPartCanComeFromTheMySqlRawTable() throws Exception {
    String database = "hot_" + suffix;
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = Profiles.s3(Profiles.mysql(Profiles.embedded(tmp.resolve("hot")), mysql, database), s3,
        "hot-" + suffix);
    m.put("report.hot-source", "mysql");
    Settings s = Settings.of(m);
    ReportConfig config = ReportConfig.from(s);
    Wiring.prepareAggregates(config.db(), true); // the raw table is part of the aggregates' schema
    List<Oracle.Reading> all = readings(0, 5);
    try (Connection c = config.db().connect();
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
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC())) {
      Instant cutoff = DAY.plus(Duration.ofMinutes(200));
      SiloReport.Outcome outcome = Wiring.report(config, spark, jobs, Clock.systemUTC())
          .run("hot-mysql", new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), cutoff));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      Path file = tmp.resolve("hot-mysql.xlsx");
      Files.write(file, fetch(outcome.url()).body());
      WorkbookReader.assertEqualsOracle(Oracle.hourly(TestData.before(all, cutoff)), WorkbookReader.read(file).rows());
    }
  }

  /**
   * Readings of a past day produced now (a backlog, a replay): the hot part of a report over that day must read them,
   * although their Kafka time is after the range's end (it once stopped at the Kafka time of the range's end: none).
   */
  @Test
  @Order(9)
  void theHotPartFromKafkaHasReadingsProducedAfterTheRangeEnds() throws Exception {
    String database = "past_" + suffix;
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    String topicSuffix = "past-" + suffix;
    kafka.createTopic("silo-readings-" + topicSuffix, 2);
    Map<String, String> m = Profiles.kafka(Profiles.mysql(Profiles.embedded(tmp.resolve("past")), mysql, database),
        kafka, topicSuffix);
    ReportConfig config = ReportConfig.from(Settings.of(m));
    Wiring.prepareAggregates(config.db(), true);
    Instant pastDay = DAY.minus(30, ChronoUnit.DAYS);
    List<Oracle.Reading> backlog = TestData.readings(rnd).silos(2).hours(pastDay, 0, 3).every(300, 600).build();
    kafka.send("silo-readings-" + topicSuffix, TestData.json(backlog));
    // No stream ran on this database: every hour of the past day comes from Kafka.
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC())) {
      SiloReport.Outcome outcome = Wiring.report(config, spark, jobs, Clock.systemUTC())
          .run("past-" + suffix, new ReportRequest(pastDay, pastDay.plus(1, ChronoUnit.DAYS), List.of(), Instant.now()));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      Path file = tmp.resolve("past.xlsx");
      Files.write(file, Files.readAllBytes(Path.of(URI.create(outcome.url()))));
      WorkbookReader.assertEqualsOracle(Oracle.hourly(backlog), WorkbookReader.read(file).rows());
    }
  }

  private int runReportCommand(Map<String, String> settings, String jobId) {
    List<String> args = new ArrayList<>(List.of("report"));
    settings.forEach((k, v) -> {
      if (!k.equals("report.job-id")) {
        args.add("--conf");
        args.add(k + "=" + v);
      }
    });
    args.add("--job-id");
    args.add(jobId);
    return Main.run(args.toArray(String[]::new));
  }

  private static ReportJob sqliteJob(String url, String jobId) {
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(url, null, null), false, Clock.systemUTC())) {
      return jobs.find(jobId).orElseThrow();
    }
  }

  /** Runs a report the way the command wires it, fetches it by its URL and compares every cell. */
  private ReportJob runReport(String jobId, Duration ttl) throws Exception {
    Map<String, String> m = new java.util.LinkedHashMap<>(profile);
    m.put("report.job-id", jobId);
    m.put("report.presign-ttl", ttl.toSeconds() + "s");
    ReportConfig config = ReportConfig.from(Settings.of(m));
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC())) {
      Instant cutoff = Instant.now();
      SiloReport.Outcome outcome = Wiring.report(config, spark, jobs, Clock.systemUTC())
          .run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), cutoff));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      ReportJob job = jobs.find(jobId).orElseThrow();
      HttpResponse<byte[]> response = fetch(job.s3Url());
      assertEquals(200, response.statusCode(), "presigned URL fetch");
      Path file = tmp.resolve(jobId + ".xlsx");
      Files.write(file, response.body());
      WorkbookReader.assertEqualsOracle(Oracle.hourly(TestData.before(counted, cutoff)), WorkbookReader.read(file).rows());
      return job;
    }
  }

  private static HttpResponse<byte[]> fetch(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private long count(String sql) throws Exception {
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The MySQL tables, read with plain JDBC, against the oracle. */
  private void assertMySqlEqualsOracle() throws Exception {
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
    WorkbookReader.assertEqualsOracle(Oracle.hourly(counted), got);
    Map<Oracle.BucketKey, Long> buckets = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT record_type, account_id, bucket_minutes, bucket_start, record_count"
            + " FROM bucket_counts")) {
      while (rs.next()) {
        buckets.put(new Oracle.BucketKey(rs.getString(1), rs.getString(2), rs.getInt(3),
            rs.getObject(4, LocalDateTime.class).toInstant(ZoneOffset.UTC)), rs.getLong(5));
      }
    }
    assertEquals(new TreeMap<>(Oracle.buckets(countedEvents)), buckets);
  }
}
