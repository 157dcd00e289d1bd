package io.siloreports.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's worker with warm runners ({@code submit.local.warm=true}, the default), on MariaDB (aggregates, jobs)
 * and S3Proxy (workbooks): a report that needs no Spark runs in a runner the worker keeps, through the same job life
 * cycle as a spark-submit run; a failing report fails its job only; a runner killed mid-report fails that job and the
 * next one gets a new runner; a report that needs Spark is handed to spark-submit. Every workbook is fetched by its
 * presigned URL and compared with the plain-Java oracle.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WarmRunnerIT {
  private static final Instant DAY = TestData.daysAgo(3);
  private static final Instant AS_OF = DAY.plus(10, ChronoUnit.HOURS);
  private static final Duration RUN = Duration.ofMinutes(3);
  private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED");
  private static final String BODY = "{\"from\": \"" + DAY + "\", \"to\": \"" + DAY.plus(1, ChronoUnit.DAYS)
      + "\", \"as_of\": \"" + AS_OF + "\"}";
  private static final Pattern PID = Pattern.compile("local pid (\\d+)@");

  @TempDir static Path dir;
  private ReportService server;
  private ApiClient api;
  private ReportJobStore jobs;
  private List<Oracle.Reading> readings;
  private Path runLogs;
  private Map<String, String> settings;

  @BeforeAll
  void start() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    String database = "warm_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = Profiles.service(Profiles.s3(Profiles.mysql(Profiles.embedded(dir), mysql, database),
        SharedTestServers.s3(), database), dir, "ops:ops-token-123-for-tests-0123456789");
    m.put("submit.local.warm", "true");
    m.put("worker.poll-interval", "30s"); // a job is taken because the service wakes its worker, not by the poll
    runLogs = Path.of(m.get("submit.local.log-dir"));
    settings = m;
    readings = TestData.readings(new Random(41)).silos(3).hours(DAY, 0, 10).every(300, 600).build();
    InputFiles.write(dir.resolve("input/silo-readings"), "readings.jsonl", TestData.json(readings));
    InputFiles.write(dir.resolve("input/activity-events"), "events.jsonl",
        TestData.eventJson(TestData.events(new Random(42)).perHour(10).hours(DAY, 0, 10).build()));
    Wiring.stream(StreamConfig.from(Settings.of(m)), LocalSpark.get(), Clock.systemUTC()).run();
    server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();
    api = new ApiClient(server.url(), "ops-token-123-for-tests-0123456789");
    jobs = Wiring.jobStore(new Jdbc(mysql.jdbcUrl(database), mysql.appUser(), mysql.appPassword()), false,
        Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private JsonNode requestAndAwait() throws Exception {
    String id = api.post("/api/reports", BODY).json().get("jobId").asText();
    return api.awaitJob(id, ENDED, RUN);
  }

  private void workbookEqualsOracle(JsonNode done) throws Exception {
    assertEquals("COMPLETED", done.get("status").asText(), done.toString());
    HttpResponse<byte[]> file = api.download(done.get("downloadUrl").asText());
    assertEquals(200, file.statusCode());
    Path local = dir.resolve(done.get("jobId").asText() + ".xlsx");
    Files.write(local, file.body());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(TestData.before(readings, AS_OF)), WorkbookReader.read(local).rows());
  }

  private long runnerPid(String jobId) {
    String ref = jobs.find(jobId).orElseThrow().submitRef();
    Matcher m = PID.matcher(ref == null ? "" : ref);
    assertTrue(m.find() && ref.contains("warm runner"), "run by a warm runner: " + ref);
    return Long.parseLong(m.group(1));
  }

  private List<String> path(String jobId) throws Exception {
    List<String> path = new ArrayList<>();
    api.get("/api/reports/" + jobId + "/events").json().get("events").forEach(e -> path.add(e.get("to").asText()));
    return path;
  }

  /** Two reports on one runner: the same life cycle as a spark-submit run, its own log, no SparkSession. */
  @Test
  @Order(1)
  void reportsRunInOneWarmRunnerThroughTheWholeLifeCycle() throws Exception {
    JsonNode first = requestAndAwait();
    workbookEqualsOracle(first);
    JsonNode second = requestAndAwait();
    workbookEqualsOracle(second);
    String a = first.get("jobId").asText();
    String b = second.get("jobId").asText();
    assertEquals(runnerPid(a), runnerPid(b), "the second report ran in the same runner");
    assertEquals(List.of("PENDING", "SUBMITTED", "PROCESSING", "COMPLETED"), path(b));
    String log = Files.readString(runLogs.resolve(b + ".log"));
    assertTrue(log.contains("report " + b + ": PROCESSING") && log.contains("report " + b + ": COMPLETED"), log);
    assertFalse(log.contains("report " + a + ":"), "a report's log holds its own lines only");
    assertFalse(log.contains("starting a SparkSession"), "no Spark: " + log);
    assertTrue(log.contains("jobstore.password = ****  (env SILO_REPORTS_JOBSTORE_PASSWORD)"), log);
    assertFalse(log.contains("api.tokens"), "the service's secrets reached the runner");
    String runnerLog = Files.readString(runLogs.resolve("warm-runner-" + runnerPid(b) + ".log"));
    assertTrue(runnerLog.contains("warm runner: warmed up in") && runnerLog.contains("(a rehearsal of "), runnerLog);
    assertFalse(runnerLog.contains("report " + b + ":"), "a report's lines are in its own log only");
  }

  /** A report that fails ends its job FAILED with the reason; the runner goes on with the next. */
  @Test
  @Order(2)
  void aFailingReportFailsItsJobOnlyAndTheNextCompletesInTheSameRunner() throws Exception {
    String bad = "bad-params-" + UUID.randomUUID().toString().substring(0, 6);
    jobs.create(bad, "silo_hourly", "{\"from\": \"not a time\"}");
    api.post("/api/reports", BODY); // wakes the worker, which takes the oldest first: the bad one
    JsonNode failed = api.awaitJob(bad, ENDED, RUN);
    assertEquals("FAILED", failed.get("status").asText());
    assertTrue(failed.get("errorMessage").asText().contains("report params are not valid JSON"), failed.toString());
    JsonNode next = requestAndAwait();
    workbookEqualsOracle(next);
    assertEquals(runnerPid(bad), runnerPid(next.get("jobId").asText()), "the runner survived the failed report");
  }

  /** A runner killed while it runs a report: that job ends FAILED naming the run; the next job gets a new runner. */
  @Test
  @Order(3)
  void aRunnerKilledMidReportFailsThatJobAndTheNextRunsOnANewRunner() throws Exception {
    String id = api.post("/api/reports", BODY).json().get("jobId").asText();
    long deadline = System.nanoTime() + RUN.toNanos();
    // PROCESSING, and its run named (the worker names it just after handing it over)
    for (ReportJob job = jobs.find(id).orElseThrow(); (job.status() != JobStatus.PROCESSING
        || job.submitRef() == null || !job.submitRef().contains("warm runner")) && System.nanoTime() < deadline;
        job = jobs.find(id).orElseThrow()) {
      Thread.sleep(2);
    }
    long pid = runnerPid(id);
    assertTrue(ProcessHandle.of(pid).orElseThrow().destroyForcibly(), "killed");
    JsonNode killed = api.awaitJob(id, ENDED, RUN);
    if (killed.get("status").asText().equals("COMPLETED")) {
      throw new AssertionError("the report ended before the kill landed; the test needs a slower report");
    }
    assertTrue(killed.get("errorMessage").asText().contains("the report run ended (exit code 137) without finishing"
        + " the job, which was PROCESSING"), killed.toString());
    JsonNode next = requestAndAwait();
    workbookEqualsOracle(next);
    assertNotEquals(pid, runnerPid(next.get("jobId").asText()), "a new runner");
  }

  /**
   * A report that needs Spark (raw files in a sub-directory: Spark's partitions, which the runner does not read) is
   * handed back and run by spark-submit: SUBMITTED again (submitted anew: the submitted timeout runs from the hand-back),
   * then PROCESSING in spark-submit's JVM, COMPLETED. From the hand-over on the job names spark-submit's run, not the
   * runner's: the service restarted meanwhile (its worker and runners gone, spark-submit going on) finds that run alive
   * and leaves the job to it. The API shows only the states of the job's path, in order.
   */
  @Test
  @Order(4)
  void aReportThatNeedsSparkGoesThroughSparkSubmitWhichNamesTheRunFromTheHandOver() throws Exception {
    Path partition = Files.createDirectories(dir.resolve("input/silo-readings/extra"));
    try {
      String id = api.post("/api/reports", BODY).json().get("jobId").asText();
      List<String> shown = new ArrayList<>();
      long deadline = System.nanoTime() + RUN.toNanos();
      ReportJob job = jobs.find(id).orElseThrow();
      while (job.submitRef() == null || job.submitRef().contains("warm runner")) { // until spark-submit runs it
        assertTrue(System.nanoTime() < deadline && !job.status().isFinal(), "never handed over: " + job.status() + ", run "
            + job.submitRef()); // not the job itself: its presigned URL must not reach the test's output
        String status = api.get("/api/reports/" + id).json().get("status").asText();
        if (shown.isEmpty() || !shown.get(shown.size() - 1).equals(status)) {
          shown.add(status);
        }
        Thread.sleep(20);
        job = jobs.find(id).orElseThrow();
      }
      String sparkSubmitRef = job.submitRef();
      Matcher sparkSubmitPid = PID.matcher(sparkSubmitRef);
      assertTrue(sparkSubmitPid.find(), sparkSubmitRef);
      assertTrue(ProcessHandle.of(Long.parseLong(sparkSubmitPid.group(1))).isPresent(), "spark-submit's own process");
      server.close(); // the worker and its runners stop; spark-submit goes on
      server = Wiring.api(ApiConfig.from(Settings.of(settings)), Clock.systemUTC());
      server.start();
      api = new ApiClient(server.url(), "ops-token-123-for-tests-0123456789");
      JsonNode done = api.awaitJob(id, ENDED, RUN);
      workbookEqualsOracle(done);
      List<String> path = path(id);
      assertEquals(List.of("PENDING", "SUBMITTED", "PROCESSING", "SUBMITTED", "PROCESSING", "COMPLETED"), path);
      assertTrue(isSubsequence(shown, path), "the API showed " + shown + ", not along " + path);
      ReportJob finished = jobs.find(id).orElseThrow();
      assertEquals(sparkSubmitRef, finished.submitRef(), "the job names spark-submit's run to its end");
      List<JobEvent> events = jobs.events(id);
      // submitted anew at the hand-back (events: PENDING, SUBMITTED, PROCESSING, the hand-back's SUBMITTED, ...)
      assertTrue(!finished.submittedAt().isBefore(events.get(2).at())
          && !finished.submittedAt().isAfter(events.get(3).at()), finished.submittedAt() + " " + events);
      String log = Files.readString(runLogs.resolve(id + ".log"));
      int handedBack = log.indexOf("needs Spark, which this runner does not start");
      assertTrue(handedBack > 0, log);
      String sparkSubmitRun = log.substring(handedBack);
      // spark-submit's own JVM: its settings listed again, the job taken and completed after the hand-back
      assertTrue(sparkSubmitRun.contains("silo-reports report: effective settings")
          && sparkSubmitRun.contains("report " + id + ": PROCESSING")
          && sparkSubmitRun.contains("report " + id + ": COMPLETED"), sparkSubmitRun);
    } finally {
      Files.delete(partition);
    }
  }

  private static boolean isSubsequence(List<String> part, List<String> whole) {
    int i = 0;
    for (String s : whole) {
      if (i < part.size() && part.get(i).equals(s)) {
        i++;
      }
    }
    return i == part.size();
  }
}
