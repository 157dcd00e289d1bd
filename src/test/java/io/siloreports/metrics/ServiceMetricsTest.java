package io.siloreports.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.PrometheusText;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's {@code /metrics} on the embedded default (SQLite job store, no Spark): the token rule, requests
 * counted by route template (never the raw path), the job gauges equal to the job store's own counts as jobs are
 * created and failed, and a worker's failed submission, failed notification and job durations, each against a
 * figure computed apart from the metrics (the store's rows, the requests the test made). Scrapes are read back by
 * {@link PrometheusText}, not by the library that wrote them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceMetricsTest {
  private static final String TOKEN = "alice-token-1-for-tests-0123456789";
  private static final String ROUTE = "silo_reports_http_requests_total";
  @TempDir static Path dir;
  private ReportService service;
  private ApiClient api;
  private ReportJobStore jobs;
  private final List<ReportService> others = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = profile(dir.resolve("plain"));
    service = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    service.start();
    api = new ApiClient(service.url(), TOKEN);
    jobs = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), false, Clock.systemUTC());
  }

  private static Map<String, String> profile(Path dir) {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "alice:" + TOKEN);
    m.put("api.worker", "false");
    return m;
  }

  @AfterAll
  void stop() {
    service.close();
    others.forEach(ReportService::close);
  }

  /** A scrape, as Prometheus makes it (the content type checked), read back independently. */
  private static PrometheusText scrape(ApiClient client) throws Exception {
    ApiClient.Answer a = client.get("/metrics");
    assertEquals(200, a.status(), a.body());
    return new PrometheusText(a.body());
  }

  @Test
  void metricsNeedABearerTokenUnlessMadePublic() throws Exception {
    assertEquals(401, api.withToken(null).get("/metrics").status());
    assertEquals(401, api.withToken("not-a-token").get("/metrics").status());
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
        + "/metrics")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(r.body().contains("# TYPE silo_reports_http_requests_total counter"), r.body());
    assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM basics are there");

    Map<String, String> m = profile(dir.resolve("public"));
    m.put("api.metrics.public", "true");
    ReportService open = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    others.add(open);
    open.start();
    ApiClient anonymous = new ApiClient(open.url(), null);
    assertEquals(200, anonymous.get("/metrics").status());
    assertEquals(401, anonymous.get("/api/reports").status(), "only /metrics is opened");
  }

  @Test
  void requestsAreCountedByRouteTemplateNeverByTheirPath() throws Exception {
    PrometheusText before = scrape(api);
    for (int i = 0; i < 3; i++) {
      assertEquals(404, api.get("/api/reports/r-unknown-" + i).status());
    }
    assertEquals(404, api.get("/no/such/path-7f3a").status());
    assertEquals(404, api.withToken(null).get("/another/path-9c2e?x=1").status());
    HttpResponse<String> brew = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.url()
        + "/api/silos")).method("BREW", HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, brew.statusCode());
    assertEquals(401, api.withToken(null).get("/api/reports").status());
    PrometheusText after = scrape(api);

    assertEquals(3, delta(before, after, ROUTE, "route", "/api/reports/{jobId}", "method", "GET", "status", "404"));
    assertEquals(3, delta(before, after, "silo_reports_http_request_duration_seconds_count",
        "route", "/api/reports/{jobId}"));
    assertEquals(2, delta(before, after, ROUTE, "route", ServiceMetrics.UNMATCHED, "method", "GET", "status", "404"));
    assertEquals(1, delta(before, after, ROUTE, "route", ServiceMetrics.UNMATCHED, "method", "OTHER", "status",
        "405"));
    assertEquals(1, delta(before, after, ROUTE, "route", "/api/reports", "method", "GET", "status", "401"));
    // The first scrape is counted by the second: /metrics itself is a route like the others.
    assertTrue(after.sum(ROUTE, "route", "/metrics", "status", "200") >= 1);
    for (String raw : List.of("r-unknown", "path-7f3a", "path-9c2e", "BREW")) {
      assertFalse(after.text().contains(raw), raw + " must not become a label value");
    }
  }

  @Test
  void theJobGaugesEqualTheJobStoresCountsAsJobsComeAndEnd() throws Exception {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ApiClient.Answer a = api.post("/api/reports", "{\"silos\": [1, 2]}");
      assertEquals(202, a.status(), a.body());
      created.add(a.json().get("jobId").asText());
    }
    Thread.sleep(1100); // the gauges read the store at most once a second
    PrometheusText first = scrape(api);
    assertGaugesEqualTheStore(first);
    double pending = first.sum("silo_reports_jobs", "status", "PENDING");
    assertTrue(pending >= 3, first.text());
    Instant oldestPending = jobs.list(JobStatus.PENDING, 1000, 0).stream().map(ReportJob::updatedAt)
        .min(Instant::compareTo).orElseThrow();
    double age = first.sum("silo_reports_jobs_oldest_age_seconds", "status", "PENDING");
    double expected = Duration.between(oldestPending, Instant.now()).toMillis() / 1000.0;
    assertTrue(age > 0 && age <= expected + 0.5 && age >= expected - 3, age + " vs " + expected);
    assertEquals(1, first.sum("silo_reports_job_store_up"));

    assertTrue(new ReportJobLifecycle(jobs).fail(created.get(0), "failed by the test"));
    Thread.sleep(1100);
    PrometheusText second = scrape(api);
    assertGaugesEqualTheStore(second);
    assertEquals(pending - 1, second.sum("silo_reports_jobs", "status", "PENDING"));
    assertEquals(first.sum("silo_reports_jobs", "status", "FAILED") + 1,
        second.sum("silo_reports_jobs", "status", "FAILED"));
  }

  private void assertGaugesEqualTheStore(PrometheusText scrape) {
    for (JobStatus s : JobStatus.values()) {
      assertEquals(jobs.count(s), scrape.sum("silo_reports_jobs", "status", s.name()), s.name());
      for (ReportJob.Trigger t : ReportJob.Trigger.values()) {
        assertTrue(scrape.has("silo_reports_jobs", "status", s.name(), "trigger", t.name()),
            "every status and trigger has a series, zeros too: " + s + " " + t);
      }
    }
  }

  /**
   * The worker inside the service: a submission that cannot start (no spark-submit where submit.local.spark-home
   * says) ends the job FAILED and is counted; the claim of its end observes its duration, created to finished as the
   * store has them; the webhook that nobody answers is counted as a failed notification.
   */
  @Test
  void theWorkerCountsAFailedSubmissionAFailedNotificationAndTheJobsDuration() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path d = dir.resolve("worker");
    Map<String, String> m = profile(d);
    m.put("api.worker", "true");
    m.put("worker.poll-interval", "200ms");
    m.put("submit.local.warm", "false"); // every report through spark-submit, which is not there
    m.put("submit.local.spark-home", d.resolve("no-spark-here").toString());
    m.put("submit.local.log-dir", d.resolve("logs").toString());
    m.put("notify.targets", "http://127.0.0.1:" + closedPort + "/hook");
    m.put("notify.webhook.secret", "shared-secret-for-tests");
    m.put("notify.webhook.attempts", "1");
    ReportService withWorker = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    others.add(withWorker);
    withWorker.start();
    ApiClient client = new ApiClient(withWorker.url(), TOKEN);
    String jobId = client.post("/api/reports", "{\"silos\": [1]}").json().get("jobId").asText();
    client.awaitJob(jobId, Set.of("FAILED"), Duration.ofSeconds(30));

    PrometheusText scrape = null;
    for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
      scrape = scrape(client);
      if (scrape.sum("silo_reports_notification_failures_total") > 0) {
        break;
      }
    }
    assertEquals(1, scrape.sum("silo_reports_notification_failures_total", "target_type", "webhook"), scrape.text());
    assertEquals(1, scrape.sum("silo_reports_job_submission_failures_total", "submitter", "local", "outcome",
        "failed"));
    ReportJob failed = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), false, Clock.systemUTC())
        .find(jobId).orElseThrow();
    assertEquals(1, scrape.sum("silo_reports_job_duration_seconds_count", "status", "FAILED"));
    assertEquals(Duration.between(failed.createdAt(), failed.finishedAt()).toMillis() / 1000.0,
        scrape.sum("silo_reports_job_duration_seconds_sum", "status", "FAILED"), 1e-9);
    assertEquals(0, scrape.sum("silo_reports_job_processing_duration_seconds_count"),
        "a job no run took has no processing time");
  }

  /**
   * Without any notification target the worker still claims each ended job once, only to observe its duration:
   * nothing is sent and no notification event is written.
   */
  @Test
  void aWorkerWithNoTargetsStillObservesEachEndedJob() throws Exception {
    Path d = dir.resolve("no-targets");
    Map<String, String> m = profile(d);
    m.put("api.worker", "true");
    m.put("worker.poll-interval", "200ms");
    m.put("submit.local.spark-home", d.resolve("no-spark-here").toString());
    m.put("submit.local.log-dir", d.resolve("logs").toString());
    ReportService withWorker = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    others.add(withWorker);
    withWorker.start();
    ApiClient client = new ApiClient(withWorker.url(), TOKEN);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ids.add(client.post("/api/reports", "{\"silos\": [1]}").json().get("jobId").asText());
    }
    for (String id : ids) {
      client.awaitJob(id, Set.of("FAILED"), Duration.ofSeconds(30));
    }
    PrometheusText scrape = null;
    for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
      scrape = scrape(client);
      if (scrape.sum("silo_reports_job_duration_seconds_count") >= 2) {
        break;
      }
    }
    Thread.sleep(500); // a third observation would come from a second claim: there must be none
    scrape = scrape(client);
    assertEquals(2, scrape.sum("silo_reports_job_duration_seconds_count", "status", "FAILED"), scrape.text());
    ReportJobStore store = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), false, Clock.systemUTC());
    for (String id : ids) {
      assertTrue(store.find(id).orElseThrow().notifiedAt() != null, id + " was claimed");
      assertTrue(store.events(id).stream().noneMatch(e -> String.valueOf(e.detail()).contains("notif")),
          id + ": nothing was sent, nothing noted");
    }
    assertEquals(0, scrape.sum("silo_reports_notification_failures_total"));
  }

  private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  }
}
