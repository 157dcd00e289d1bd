package io.siloreports.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.report.SiloReport;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestLogs;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.MavenClasspath;
import io.siloreports.testing.servers.SharedTestServers;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the first design lost: readings and events of three days delivered in random order, one file per
 * micro-batch, with bad records among them, into Parquet and into MariaDB. Late records are merged, so the
 * aggregates, the bucket counts and a caught-up report equal the plain-Java computation over every valid record, and
 * the quarantine holds the bad records only. Then the same delivery to a stream in its own JVM, killed with SIGKILL
 * at random moments and restarted: still equal.
 */
class OutOfOrderDeliveryIT {
  private static final Instant DAY = Instant.parse("2026-11-17T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC);
  private static final int FILES = 24;
  private static final List<String> BAD_READINGS = List.of("{oops", "{\"silo_id\": 1, \"value\": 2}",
      "{\"silo_id\": 1, \"ts\": \"2026-11-18T00:00:00Z\", \"value\": \"x\"}");
  private static final List<String> BAD_EVENTS = List.of("[]",
      "{\"record_type\": \"gizmos\", \"account_id\": \"a\", \"ts\": \"2026-11-18T00:00:00Z\"}");

  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;
  private List<Oracle.Reading> readings;
  private List<Oracle.Event> events;

  private Map<String, String> profile(String sink) {
    Map<String, String> p = Profiles.embedded(tmp);
    if (sink.equals("mysql")) {
      EmbeddedMySql mysql = SharedTestServers.mySql();
      mysql.recreateDatabase();
      Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword()), true);
      p = Profiles.mysql(p, mysql, null);
      p.put("jobstore.url", "jdbc:sqlite:" + tmp.resolve("jobs.db"));
      p.remove("jobstore.user");
      p.remove("jobstore.password");
    }
    return p;
  }

  /** Three days, shuffled into {@link #FILES} files per pipeline; bad records in some of them. Returns the files. */
  private List<String[]> shuffledFiles(long seed) {
    Random rnd = new Random(seed);
    readings = TestData.readings(rnd).silos(5).hours(DAY, 0, 72).every(240, 480).values(3, 2_000_000, -1_000_000)
        .build();
    events = TestData.events(rnd).perHour(60).accounts(6).hours(DAY, 0, 72).build();
    List<String> r = new ArrayList<>(TestData.json(readings));
    List<String> e = new ArrayList<>(TestData.eventJson(events));
    r.addAll(BAD_READINGS);
    e.addAll(BAD_EVENTS);
    Collections.shuffle(r, rnd);
    Collections.shuffle(e, rnd);
    List<String[]> files = new ArrayList<>();
    for (int f = 0; f < FILES; f++) {
      files.add(new String[] {
          String.join("\n", r.subList(f * r.size() / FILES, (f + 1) * r.size() / FILES)),
          String.join("\n", e.subList(f * e.size() / FILES, (f + 1) * e.size() / FILES))});
    }
    return files;
  }

  private void write(int f, String[] file) throws Exception {
    InputFiles.write(tmp.resolve("input/silo-readings"), String.format("r-%03d.jsonl", f), List.of(file[0]));
    InputFiles.write(tmp.resolve("input/activity-events"), String.format("e-%03d.jsonl", f), List.of(file[1]));
  }

  @ParameterizedTest
  @ValueSource(strings = {"parquet", "mysql"})
  void randomOrderDeliveryLosesNothing(String sink) throws Exception {
    Map<String, String> profile = profile(sink);
    List<String[]> files = shuffledFiles(sink.hashCode());
    for (int f = 0; f < files.size(); f++) {
      write(f, files.get(f));
    }
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
    assertEverythingCountedOnce(profile);
  }

  /**
   * The stream in its own JVM (spark-submit of the shaded jar), killed with SIGKILL at random moments, into MariaDB
   * (the Parquet layout's crash between data and commit is {@code StreamJobTest}'s).
   */
  @ParameterizedTest
  @ValueSource(strings = {"mysql"})
  void killedAtRandomMomentsAndRestartedLosesNothing(String sink) throws Exception {
    Map<String, String> profile = profile(sink);
    profile.put("stream.trigger", "300ms");
    profile.put("spark.sql.shuffle.partitions", "4"); // small batches: Spark's default 200 tasks per shuffle is slow
    List<String[]> files = shuffledFiles(7 + sink.hashCode());
    Random rnd = new Random(sink.hashCode());
    Wiring.Stores stores = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark);
    int written = 0;
    for (int kill = 0; kill < 4; kill++) {
      for (int i = 0; i < FILES / 4; i++) {
        write(written, files.get(written));
        written++;
      }
      long before = batch(stores, Pipeline.SILO_READINGS) + batch(stores, Pipeline.ACTIVITY_EVENTS);
      Process stream = startStream(profile, "stream-" + kill);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (batch(stores, Pipeline.SILO_READINGS) + batch(stores, Pipeline.ACTIVITY_EVENTS) < before + 2) {
        assertTrue(stream.isAlive(),
            "the stream died by itself; see target/test-logs/out-of-order/stream-" + kill + ".log");
        assertTrue(System.nanoTime() < deadline, "no batch committed in 3 minutes");
        Thread.sleep(50);
      }
      Thread.sleep(rnd.nextInt(1500)); // somewhere in a later batch: reading, aggregating, committing
      stream.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertTrue(stream.waitFor(30, TimeUnit.SECONDS));
    }
    Map<String, String> once = new HashMap<>(profile);
    once.put("stream.trigger", "available-now");
    Process last = startStream(once, "stream-last");
    assertTrue(last.waitFor(5, TimeUnit.MINUTES), "the last run finished");
    assertEquals(0, last.exitValue(), "see target/test-logs/out-of-order/stream-last.log");
    assertEverythingCountedOnce(profile);
  }

  private static long batch(Wiring.Stores stores, Pipeline p) {
    return stores.progress().last(p).map(AggregationProgress::batchId).orElse(-1L);
  }

  private Process startStream(Map<String, String> settings, String name) throws Exception {
    Path shaded;
    try (Stream<Path> jars = Files.list(MavenClasspath.projectDir().resolve("target"))) {
      shaded = jars.filter(p -> p.getFileName().toString().endsWith("-shaded.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded jar in target/: run the package phase first (mvn verify)"));
    }
    String pom = Files.readString(MavenClasspath.projectDir().resolve("pom.xml"));
    String opens = pom.substring(pom.indexOf("<spark.java17.opens>") + 20, pom.indexOf("</spark.java17.opens>"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(opens.trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx1g", "-Duser.timezone=UTC", "-cp",
        MavenClasspath.of("spark-3.5.7").stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--class", "io.siloreports.cli.Main", shaded.toString(), "stream"));
    settings.forEach((k, v) -> cmd.addAll(List.of("--conf", k + "=" + v)));
    Path log = TestLogs.file("out-of-order", name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  private void assertEverythingCountedOnce(Map<String, String> profile) throws Exception {
    Wiring.Stores stores = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark);
    AggregationProgress r = stores.progress().last(Pipeline.SILO_READINGS).orElseThrow();
    AggregationProgress e = stores.progress().last(Pipeline.ACTIVITY_EVENTS).orElseThrow();
    assertEquals(readings.size(), r.validTotal(), "every valid reading once");
    assertEquals(events.size(), e.validTotal(), "every valid event once");
    assertTrue(r.lateTotal() > readings.size() / 2, "most readings arrived for hours already final: " + r);
    assertEquals(0, r.tooLateTotal() + e.tooLateTotal());

    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(readings), HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(stores.aggregates().aggregates(Pipeline.SILO_READINGS, r))));
    Map<Oracle.BucketKey, Long> buckets = new TreeMap<>();
    for (Row b : stores.aggregates().aggregates(Pipeline.ACTIVITY_EVENTS, e).collectAsList()) {
      buckets.put(new Oracle.BucketKey(b.getString(0), b.getString(1), b.getInt(2), b.getTimestamp(3).toInstant()),
          b.getLong(4));
    }
    assertEquals(new TreeMap<>(Oracle.buckets(events)), buckets);

    List<Row> readingsQuarantine = stores.aggregates().quarantine(Pipeline.SILO_READINGS).collectAsList();
    List<Row> eventsQuarantine = stores.aggregates().quarantine(Pipeline.ACTIVITY_EVENTS).collectAsList();
    assertEquals(BAD_READINGS.stream().sorted().toList(),
        readingsQuarantine.stream().map(q -> q.<String>getAs("line")).sorted().toList(), "the bad readings only");
    assertEquals(BAD_EVENTS.stream().sorted().toList(),
        eventsQuarantine.stream().map(q -> q.<String>getAs("line")).sorted().toList(), "the bad events only");
    assertTrue(Stream.concat(readingsQuarantine.stream(), eventsQuarantine.stream())
        .allMatch(q -> q.<String>getAs("kind").equals("bad")));

    Map<String, String> report = new HashMap<>(profile);
    report.put("report.output-dir", tmp.resolve("reports").toString());
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(report.get("jobstore.url"), null, null), true, CLOCK)) {
      SiloReport.Outcome outcome = Wiring.report(ReportConfig.from(Settings.of(report)), spark, jobs, CLOCK)
          .run("caught-up", new ReportRequest(DAY, DAY.plus(3, ChronoUnit.DAYS), List.of(), CLOCK.instant()));
      assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
      WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(outcome.url())));
      WorkbookReader.assertEqualsOracle(Oracle.hourly(readings), wb.rows());
      assertEquals(r.lateTotal(), wb.facts().get("late readings included"), "the Summary counts the late readings");
    }
    assertTrue(Duration.between(DAY, CLOCK.instant()).toDays() < 7, "nothing is older than the max revision age");
  }
}
