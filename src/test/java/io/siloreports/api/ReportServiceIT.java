package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.LogContext;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.PrometheusText;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report service with real servers and real report runs: MariaDB holds the aggregates and the jobs, S3Proxy the
 * workbooks, and the worker's local submitter runs each report in its own JVM through Spark's launcher. Every
 * workbook is fetched by its presigned URL and compared cell by cell with a plain-Java computation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportServiceIT {
  private static final Instant DAY = TestData.daysAgo(3); // streamed under the real clock
  private static final Instant AS_OF = DAY.plus(10, ChronoUnit.HOURS);
  private static final Duration RUN = Duration.ofMinutes(4);
  private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED");
  /** How many concurrent requests CI makes; bench/api/run makes 50. */
  private static final int CONCURRENT = Integer.getInteger("siloreports.it.concurrent-requests", 4);

  @TempDir static Path dir;
  private ReportService server;
  private ApiClient api;
  private ReportJobStore jobs;
  private List<Oracle.Reading> readings;
  private List<Oracle.Event> events;
  private EmbeddedMySql mysql;
  private String database;
  /** Webhook notifications the service sent: job id -> body, only those whose signature checks out. */
  private final Map<String, JsonNode> announced = new java.util.concurrent.ConcurrentHashMap<>();
  private com.sun.net.httpserver.HttpServer receiver;
  /** The SMTP server the service's worker sends emails to. */
  private com.icegreen.greenmail.util.GreenMail smtp;
  /** Where the local submitter writes each report run's output, {@code <job id>.log}. */
  private Path runLogs;

  @BeforeAll
  void start() throws Exception {
    mysql = SharedTestServers.mySql();
    database = "svc_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = Profiles.service(Profiles.s3(Profiles.mysql(Profiles.embedded(dir), mysql, database),
        SharedTestServers.s3(), database), dir, "ops:ops-token-123-for-tests-0123456789");
    m.put("worker.max-concurrent", "2");
    m.put("submit.local.warm", "false"); // this test follows spark-submit runs; WarmRunnerIT the warm ones
    runLogs = Path.of(m.get("submit.local.log-dir"));
    receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", x -> {
      String body = new String(x.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      long ts = Long.parseLong(x.getRequestHeaders().getFirst(io.siloreports.worker.notify.WebhookNotifier.TIMESTAMP_HEADER));
      if (io.siloreports.worker.notify.WebhookNotifier.signature("svc-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          ts, body).equals(x.getRequestHeaders().getFirst(io.siloreports.worker.notify.WebhookNotifier.SIGNATURE_HEADER))) {
        JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        announced.put(n.get("job_id").asText(), n);
      }
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();
    m.put("notify.targets", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    m.put("notify.webhook.secret", "svc-secret");
    smtp = new com.icegreen.greenmail.util.GreenMail(com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    m.put("notify.email.smtp.host", "127.0.0.1");
    m.put("notify.email.smtp.port", Integer.toString(smtp.getSmtp().getPort()));
    m.put("notify.email.smtp.starttls", "false");
    m.put("notify.email.from", "silo-reports@example.com");
    m.put("notify.email.allowed-domains", "example.com");

    readings = TestData.readings(new Random(33)).silos(3).hours(DAY, 0, 10).every(300, 600).build();
    InputFiles.write(dir.resolve("input/silo-readings"), "readings.jsonl", TestData.json(readings));
    events = TestData.events(new Random(34)).perHour(60).hours(DAY, 0, 10).build();
    InputFiles.write(dir.resolve("input/activity-events"), "events.jsonl", TestData.eventJson(events));
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
    if (receiver != null) {
      receiver.stop(0);
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  /**
   * A PDF report asked for by email with the file attached, through the service, a real report run and a real SMTP
   * server (GreenMail): the message carries the PDF byte for byte as stored on S3, and poppler's text of it holds each
   * silo's reading count computed here from the readings.
   */
  @Test
  void aPdfReportAskedForByEmailArrivesWithThePdfAttachedHoldingEachSilosReadings() throws Exception {
    String body = BODY.substring(0, BODY.lastIndexOf('}')) + ", \"format\": \"pdf\", \"notify\": {\"email\":"
        + " [\"ana@example.com\"], \"attach\": true}}";
    String id = api.post("/api/reports", body).json().get("jobId").asText();
    JsonNode done = api.awaitJob(id, ENDED, RUN);
    assertEquals("COMPLETED", done.get("status").asText(), done.toString());
    jakarta.mail.internet.MimeMessage mail = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (mail == null && System.nanoTime() < deadline) {
      for (jakarta.mail.internet.MimeMessage m : smtp.getReceivedMessages()) {
        if (m.getSubject().contains(id)) {
          mail = m;
        }
      }
      Thread.sleep(100);
    }
    assertTrue(mail != null, "the report was emailed within 30 s of completing");
    assertEquals("ana@example.com", mail.getAllRecipients()[0].toString());
    jakarta.mail.internet.MimeMultipart mixed = (jakarta.mail.internet.MimeMultipart) mail.getContent();
    jakarta.mail.BodyPart attached = mixed.getBodyPart(1);
    assertEquals("silo_data_report.pdf", attached.getFileName());
    byte[] pdf = attached.getInputStream().readAllBytes();
    assertArrayEquals(api.download(done.get("downloadUrl").asText()).body(), pdf, "the stored report, attached");
    Path file = Files.write(dir.resolve(id + ".pdf"), pdf);
    Process p = new ProcessBuilder("pdftotext", "-layout", file.toString(), "-").start();
    String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "pdftotext (poppler-utils; .ci/run installs it) read the attachment");
    List<Oracle.Reading> counted = TestData.before(readings, AS_OF);
    for (int silo : counted.stream().map(Oracle.Reading::siloId).distinct().sorted().toList()) {
      long n = counted.stream().filter(r -> r.siloId() == silo).count();
      assertTrue(text.lines().map(String::trim).anyMatch(l -> l.startsWith(silo + " ")
          && List.of(l.split("\\s+")).contains(Long.toString(n))), "silo " + silo + "'s row with its " + n
          + " readings in the PDF:\n" + text);
    }
  }

  private static final String BODY = "{\"from\": \"" + DAY + "\", \"to\": \"" + DAY.plus(1, ChronoUnit.DAYS)
      + "\", \"as_of\": \"" + AS_OF + "\"}";

  /** Fetches a workbook by its link and compares every cell with the oracle over the readings before the cut-off. */
  private void workbookEqualsOracle(String url, String name) throws Exception {
    assertTrue(url.contains("X-Amz-Signature="), "a presigned S3 URL: " + url.replaceAll("Signature=.*", ""));
    HttpResponse<byte[]> file = api.download(url);
    assertEquals(200, file.statusCode());
    Path local = dir.resolve(name + ".xlsx");
    Files.write(local, file.body());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(TestData.before(readings, AS_OF)), WorkbookReader.read(local).rows());
  }

  /**
   * Also the request id: the X-Request-Id of the POST is answered, kept with the job, and in the log context of the
   * service's line for the request, the worker's lines for its job (submission, notification) and, through the job's
   * row, every line of the report run's own log that the report writes.
   */
  @Test
  void aRequestGoesPendingSubmittedProcessingCompletedAndItsWorkbookIsExact() throws Exception {
    String requestId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    LogCapture serviceLog = LogCapture.of("io.siloreports");
    ApiClient.Answer post = api.withHeader(ApiServer.REQUEST_ID_HEADER, requestId).post("/api/reports", BODY);
    assertEquals(requestId, post.header(ApiServer.REQUEST_ID_HEADER));
    JsonNode created = post.json();
    String id = created.get("jobId").asText();
    JsonNode done = api.awaitJob(id, ENDED, RUN);
    assertEquals("COMPLETED", done.get("status").asText(), done.toString());
    workbookEqualsOracle(done.get("downloadUrl").asText(), id);
    // The report's JVM lists its effective settings (masked) with their origin: it got the report's secrets in its
    // environment, and none of the service's own (given to the service as api.tokens and notify.webhook.secret,
    // they used to reach it as SILO_REPORTS_API_TOKENS and SILO_REPORTS_NOTIFY_WEBHOOK_SECRET).
    String runLog = Files.readString(runLogs.resolve(id + ".log"));
    assertTrue(runLog.contains("jobstore.password = ****  (env SILO_REPORTS_JOBSTORE_PASSWORD)")
        && runLog.contains("report.s3.secret-key = ****  (env SILO_REPORTS_REPORT_S3_SECRET_KEY)"), runLog);
    assertFalse(runLog.contains("api.tokens") || runLog.contains("notify.webhook.secret"),
        "the service's secrets reached the report's JVM");
    JsonNode events = api.get("/api/reports/" + id + "/events").json().get("events");
    List<String> path = new ArrayList<>();
    events.forEach(e -> {
      if (!e.get("detail").asText("").startsWith("notified")) {
        path.add(e.get("to").asText());
      }
    });
    assertEquals(List.of("PENDING", "SUBMITTED", "PROCESSING", "COMPLETED"), path);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!announced.containsKey(id) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    JsonNode note = announced.get(id);
    assertTrue(note != null, "the finished job was announced to the webhook with a valid signature");
    assertEquals("report.completed", note.get("event").asText());
    // Without api.public-url no link (ReadLinkIT has one): how to fetch it, never a presigned URL that dies in minutes.
    assertTrue(note.path("url").isMissingNode() && !note.toString().contains("X-Amz-"), note.toString());
    assertTrue(note.path("fetch").asText().contains("GET /api/reports/" + id), note.toString());
    assertEquals("api:ops", events.get(0).get("actor").asText());
    assertTrue(events.get(1).get("actor").asText().startsWith("worker pid "), events.toString());
    assertTrue(events.get(2).get("actor").asText().startsWith("pid "), "the report run took it: " + events);

    String notified = "INFO report " + id + ": notified webhook http://127.0.0.1:";
    while (serviceLog.linesWith(id + ": notified").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50); // logged just after the receiver answered
    }
    serviceLog.close();
    assertEquals(requestId, done.get("requestId").asText());
    List<String> traced = serviceLog.linesIn(LogContext.REQUEST_ID, requestId);
    for (String expected : List.of("INFO report " + id + ": PENDING, asked by ops",
        "INFO report " + id + ": SUBMITTED (", notified)) {
      assertTrue(traced.stream().anyMatch(l -> l.startsWith(expected)), expected + " in " + traced);
    }
    assertTrue(traced.stream().allMatch(l -> l.contains(id)), "only lines about this job: " + traced);
    List<String> run = Files.readAllLines(runLogs.resolve(id + ".log")).stream()
        .filter(l -> l.contains(" report " + id + ": ")).toList();
    assertTrue(run.stream().anyMatch(l -> l.contains(": [" + requestId + "] report " + id + ": PROCESSING")), run
        .toString());
    assertTrue(run.stream().anyMatch(l -> l.contains(": [" + requestId + "] report " + id + ": COMPLETED")), run
        .toString());
    assertTrue(run.stream().allMatch(l -> l.contains("[" + requestId + "]")), "every line of the report: " + run);
  }

  @Test
  void seedEndpointsGiveAFreshPresignedUrlOnEveryRead() throws Exception {
    String id = api.post("/initiate-silo-report", BODY).json().get("jobId").asText();
    JsonNode done = api.await("/silo-report-status/" + id, j -> ENDED.contains(j.get("status").asText()), RUN);
    assertEquals("COMPLETED", done.get("status").asText(), done.toString());
    Thread.sleep(1100); // the signing time is in seconds: a later read signs at a later second
    String again = api.get("/silo-report-status/" + id).json().get("s3Url").asText();
    assertTrue(!again.equals(done.get("s3Url").asText()), "a fresh URL");
    workbookEqualsOracle(again, id);
    String key = jobs.find(id).orElseThrow().s3Key();
    SharedTestServers.s3().s3Client().deleteObject(r -> r.bucket(SharedTestServers.s3().bucket()).key(key));
    JsonNode gone = api.get("/silo-report-status/" + id).json();
    assertEquals("EXPIRED", gone.get("status").asText(), "the object is gone");
    assertTrue(gone.get("s3Url").isNull());
  }

  @Test
  void aJobAnotherSystemStoredWithBadParamsEndsFailedWithTheReasonOverTheApi() throws Exception {
    jobs.create("stored-elsewhere-" + UUID.randomUUID().toString().substring(0, 6), "silo_hourly",
        "{\"from\": \"not a time\"}");
    String id = jobs.list(null, 50, 0).stream().filter(j -> j.jobId().startsWith("stored-elsewhere-")).findFirst()
        .orElseThrow().jobId();
    JsonNode done = api.awaitJob(id, ENDED, RUN);
    assertEquals("FAILED", done.get("status").asText());
    assertTrue(done.get("errorMessage").asText().contains("report params are not valid JSON"), done.toString());
    JsonNode seed = api.get("/silo-report-status/" + id).json();
    assertEquals("FAILED", seed.get("status").asText());
    assertTrue(seed.get("s3Url").isNull());
  }

  @Test
  void bucketCountsSilosAndHealthComeFromMySql() throws Exception {
    JsonNode b = api.get("/api/buckets?record_type=items&minutes=15&from=" + DAY + "&to=" + DAY.plus(1, ChronoUnit.DAYS))
        .json();
    Map<Oracle.BucketKey, Long> got = new java.util.TreeMap<>();
    b.get("buckets").forEach(n -> got.put(new Oracle.BucketKey("items", n.get("accountId").asText(), 15,
        Instant.parse(n.get("start").asText())), n.get("count").asLong()));
    Map<Oracle.BucketKey, Long> want = new java.util.TreeMap<>();
    Oracle.buckets(events).forEach((k, v) -> {
      if (k.recordType().equals("items") && k.minutes() == 15) {
        want.put(k, v);
      }
    });
    assertEquals(want, got);
    assertTrue(!want.isEmpty());
    assertEquals("[1,2,3]", api.get("/api/silos").json().get("silos").toString());
    ApiClient.Answer health = api.withToken(null).get("/api/health");
    assertEquals(200, health.status(), health.body());
    assertEquals("ok", health.json().get("status").asText());
  }

  /**
   * The metrics' grouped read of the job store on MariaDB (the other metrics tests run on SQLite): counts per status
   * and trigger equal to the store's own counts, the oldest PENDING job's age from its MySQL timestamp, on a database
   * of its own so no worker moves the jobs meanwhile.
   */
  @Test
  void theJobMetricsReadMariaDb() throws Exception {
    String db = "metrics_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + db, "GRANT ALL ON " + db + ".* TO '" + mysql.appUser() + "'@'%'");
    MovableClock clock = new MovableClock(Instant.parse("2026-11-21T08:00:00Z"));
    ReportJobStore store = Wiring.jobStore(new Jdbc(mysql.jdbcUrl(db), mysql.appUser(), mysql.appPassword()), true,
        clock);
    for (String id : List.of("m-1", "m-2", "m-3")) {
      store.create(id, "silo-report", "{}", "test");
      clock.advance(Duration.ofSeconds(10));
    }
    assertTrue(new io.siloreports.reportjob.ReportJobLifecycle(store).fail("m-1", "failed by the test"));
    clock.set(Instant.parse("2026-11-21T08:01:30Z"));
    PrometheusText m = new PrometheusText(new String(new io.siloreports.metrics.ServiceMetrics(store, clock).scrape(),
        java.nio.charset.StandardCharsets.UTF_8));
    for (io.siloreports.jobstore.JobStatus status : io.siloreports.jobstore.JobStatus.values()) {
      assertEquals(store.count(status), m.sum("silo_reports_jobs", "status", status.name(), "trigger", "ADHOC"),
          status.name());
    }
    assertEquals(2, m.sum("silo_reports_jobs", "status", "PENDING"));
    assertEquals(80, m.sum("silo_reports_jobs_oldest_age_seconds", "status", "PENDING"), 1e-9,
        "m-2, created at 08:00:10, is the oldest PENDING job at 08:01:30");
    assertEquals(1, m.sum("silo_reports_job_store_up"));
  }

  @Test
  void concurrentRequestsAreDistinctJobsThatEachEndAndRunOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
    List<Future<String>> posts = new ArrayList<>();
    for (int i = 0; i < CONCURRENT; i++) {
      posts.add(pool.submit(() -> api.post("/api/reports", BODY).json().get("jobId").asText()));
    }
    Set<String> ids = new HashSet<>();
    for (Future<String> f : posts) {
      ids.add(f.get());
    }
    pool.shutdown();
    assertEquals(CONCURRENT, ids.size(), "distinct jobs");
    for (String id : ids) {
      JsonNode done = api.awaitJob(id, ENDED, RUN.multipliedBy(CONCURRENT));
      assertEquals("COMPLETED", done.get("status").asText(), done.toString());
      long runs = 0;
      for (JsonNode e : api.get("/api/reports/" + id + "/events").json().get("events")) {
        runs += e.get("to").asText().equals("PROCESSING") ? 1 : 0;
      }
      assertEquals(1, runs, id + " ran once");
    }
  }
}
