package io.siloreports.api;

import io.siloreports.reportjob.ReportJobLifecycle;

import io.siloreports.cli.ReportService;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.OpenApiCheck;
import io.siloreports.testing.Profiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API on the embedded default, without a worker and without Spark: authentication, seed 000's endpoints,
 * the job endpoints, bad input, signed local downloads, health, and every answer checked against the OpenAPI
 * document the service serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportApiTest {
  private static final String ALICE = "alice-token-1-for-tests-0123456789";
  private static final String OPS = "ops-token-1-for-tests-0123456789abcd";
  @TempDir static Path dir;
  private ReportService server;
  private ApiClient api;
  private ReportJobStore jobs;
  private OpenApiCheck openApi;
  private ApiConfig config;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "alice:" + ALICE + ",bob:bob-token-22-for-tests-0123456789ab");
    m.put("api.worker", "false");
    m.put("api.auth.max-failures", "100000"); // every test here comes from 127.0.0.1; ApiAccessTest tests the limit
    config = ApiConfig.from(Settings.of(m));
    server = Wiring.api(config, Clock.systemUTC());
    server.start();
    api = new ApiClient(server.url(), ALICE);
    jobs = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), false, Clock.systemUTC());
    openApi = new OpenApiCheck(api.get("/api/openapi.json").json());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** An answer, checked against the document for its route template. */
  private ApiClient.Answer checked(String method, String template, ApiClient.Answer a) {
    List<String> problems = openApi.problems(method, template, a.status(), a.json());
    assertTrue(problems.isEmpty(), method + " " + template + " " + a.status() + ": " + problems + " in " + a.body());
    return a;
  }

  /**
   * Without TCP_NODELAY the JDK's server held every small answer ~40 ms for the client's delayed ACK (46 ms a request
   * against 1.1 ms with it, measured with keep-alive); at 1,000 status reads a second the service fell seconds
   * behind. bench/api/run shows the effect; this pins the setting.
   */
  @Test
  void answersGoOutWithoutWaitingForTheClientsAcknowledgement() {
    assertEquals("true", System.getProperty(ApiServer.NO_DELAY));
  }

  @Test
  void thePageAndTheDocumentNeedNoToken() throws Exception {
    ApiClient anonymous = api.withToken(null);
    ApiClient.Answer page = anonymous.get("/");
    assertEquals(200, page.status());
    assertTrue(page.body().contains("Generate report") && page.body().contains("data-poll-ms=\"5000\""), page.body());
    assertEquals("3.0.3", anonymous.get("/api/openapi.json").json().get("openapi").asText());
  }

  @Test
  void everyRouteIsInTheOpenApiDocumentAndEveryDocumentedPathIsARoute() throws Exception {
    JsonNode doc = api.get("/api/openapi.json").json();
    TreeSet<String> documented = new TreeSet<>();
    doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
        .forEachRemaining(m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
    TreeSet<String> routed = new TreeSet<>();
    for (Router.Route r : server.server().routes()) {
      routed.add(r.method() + " " + r.template().replace("...}", "}"));
      boolean open = doc.get("paths").get(r.template().replace("...}", "}"))
          .get(r.method().toLowerCase(java.util.Locale.ROOT)).has("security");
      assertEquals(!r.authenticated(), open, r.template() + ": the document says whether it needs a token");
    }
    assertEquals(documented, routed);
  }

  @Test
  void withoutAValidTokenEveryProtectedEndpointAnswers401() throws Exception {
    for (Router.Route r : server.server().routes()) {
      if (!r.authenticated()) {
        continue;
      }
      String path = r.template().replace("{jobId}", "r-1").replace("{name}", "s-1");
      for (ApiClient client : List.of(api.withToken(null), api.withToken("not-a-token"), api.withToken(ALICE + "x"))) {
        ApiClient.Answer a = r.method().equals("POST") ? client.post(path, null) : client.get(path);
        assertEquals(401, a.status(), r.method() + " " + path);
        checked(r.method(), r.template(), a);
      }
    }
  }

  @Test
  void seedEndpointsCreateAPendingJobAndReportItsStatus() throws Exception {
    ApiClient.Answer created = checked("POST", "/initiate-silo-report", api.post("/initiate-silo-report", null));
    assertEquals(202, created.status());
    assertEquals("PENDING", created.json().get("status").asText());
    String id = created.json().get("jobId").asText();
    ApiClient.Answer status = checked("GET", "/silo-report-status/{jobId}", api.get("/silo-report-status/" + id));
    assertEquals("PENDING", status.json().get("status").asText());
    assertTrue(status.json().get("s3Url").isNull());
    checked("GET", "/api/silo-report-status/{jobId}", api.get("/api/silo-report-status/" + id));
    ReportJob job = jobs.find(id).orElseThrow();
    assertEquals("alice", job.requestedBy(), "who asked is the token's name");
    assertEquals("{}", job.params(), "all silos, the default range");
    ApiClient.Answer other = checked("POST", "/api/initiate-silo-report",
        api.withToken("bob-token-22-for-tests-0123456789ab").post("/api/initiate-silo-report", "{\"silos\": [2, 4]}"));
    assertEquals("bob", jobs.find(other.json().get("jobId").asText()).orElseThrow().requestedBy());
    assertEquals(404, checked("GET", "/silo-report-status/{jobId}", api.get("/silo-report-status/r-nope")).status());
  }

  @Test
  void aRequestWithABodyKeepsItsParamsAndTheJobIsListedWithItsHistory() throws Exception {
    ApiClient.Answer created = checked("POST", "/api/reports", api.post("/api/reports",
        "{\"silos\": \"1,3-4\", \"from\": \"2026-11-01\", \"to\": \"2026-11-03T06:00:00Z\", \"as_of\": \"2026-11-03T05:30:00Z\","
            + " \"format\": \"csv\"}"));
    assertEquals(202, created.status());
    JsonNode params = created.json().get("params");
    assertEquals("csv", params.get("format").asText());
    assertEquals("ADHOC", created.json().get("trigger").asText());
    ApiClient.Answer asPdf = checked("POST", "/api/reports", api.post("/api/reports", "{\"format\": \"PDF\"}"));
    assertEquals(202, asPdf.status(), "pdf is a format of the API (any case)");
    assertEquals("pdf", asPdf.json().get("params").get("format").asText());
    assertEquals("[1,3,4]", params.get("silos").toString());
    assertEquals("2026-11-01T00:00:00Z", params.get("from").asText());
    assertEquals("2026-11-03T05:30:00Z", params.get("as_of").asText());
    String id = created.json().get("jobId").asText();

    ApiClient.Answer detail = checked("GET", "/api/reports/{jobId}", api.get("/api/reports/" + id));
    assertEquals("alice", detail.json().get("requestedBy").asText());
    ApiClient.Answer events = checked("GET", "/api/reports/{jobId}/events", api.get("/api/reports/" + id + "/events"));
    assertEquals(1, events.json().get("events").size());
    JsonNode first = events.json().get("events").get(0);
    assertTrue(first.get("from").isNull());
    assertEquals("PENDING", first.get("to").asText());
    assertEquals("api:alice", first.get("actor").asText());

    ApiClient.Answer page = checked("GET", "/api/reports", api.get("/api/reports?status=pending&limit=1&offset=0"));
    assertEquals(1, page.json().get("jobs").size());
    assertTrue(page.json().get("total").asLong() >= 1);
    assertEquals(0, checked("GET", "/api/reports", api.get("/api/reports?status=COMPLETED")).json().get("jobs").size());
  }

  /** Hostile values for every parameter: SQL, paths, control characters, sizes, encodings. */
  private static final List<String> HOSTILE = List.of(
      "' OR '1'='1", "1; DROP TABLE report_jobs; --", "\" OR 1=1 --", "1 UNION SELECT job_id FROM report_jobs",
      "../../etc/passwd", "..\\..\\windows", "%2e%2e%2f%2e%2e%2f", "a\u0000b", "line\r\nX-Injected: 1",
      "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "\uD83D\uDE00\u00C4\u00FC", "-1", "99999999999999999999",
      "1e400", "NaN", "2026-13-45T25:61:00Z", "0-2147483647", "5-3", "-3-2", "x".repeat(10_000));

  @Test
  void everyParameterRefusesHostileValuesWithoutLeakingInternals() throws Exception {
    long jobsBefore = jobs.count(null);
    List<String> answers = new ArrayList<>();
    for (String h : HOSTILE) {
      String json = new ObjectMapper().writeValueAsString(h);
      String q = java.net.URLEncoder.encode(h, java.nio.charset.StandardCharsets.UTF_8);
      for (String field : List.of("silos", "from", "to", "as_of", "format")) {
        for (String path : List.of("/api/reports", "/initiate-silo-report")) {
          ApiClient.Answer a = api.post(path, "{\"" + field + "\": " + json + "}");
          assertTrue(a.status() == 400 || a.status() == 413, path + " " + field + "=" + abbreviated(h) + " -> " + a.status());
          answers.add(a.body());
        }
      }
      for (String path : List.of("/api/reports/" + q, "/api/reports/" + q + "/events", "/silo-report-status/" + q,
          "/api/reports?status=" + q, "/api/reports?limit=" + q, "/api/reports?offset=" + q,
          "/api/buckets?record_type=items&account_id=acc&minutes=" + q + "&from=2026-11-01&to=2026-11-02",
          "/api/buckets?record_type=items&account_id=acc&minutes=60&from=" + q + "&to=2026-11-02",
          "/api/buckets?record_type=items&account_id=acc&minutes=60&from=2026-11-01&to=" + q)) {
        ApiClient.Answer a = api.get(path);
        assertTrue(a.status() == 400 || a.status() == 404 || a.status() == 414, abbreviated(path) + " -> " + a.status()
            + " " + abbreviated(a.body()));
        answers.add(a.body());
      }
      // Free-text filters are bound parameters: a hostile account or record type finds nothing, and says so.
      for (String path : List.of(
          "/api/buckets?record_type=" + q + "&account_id=acc&minutes=60&from=2026-11-01&to=2026-11-02",
          "/api/buckets?record_type=items&account_id=" + q + "&minutes=60&from=2026-11-01&to=2026-11-02")) {
        ApiClient.Answer a = api.get(path);
        assertTrue(a.status() == 200 || a.status() == 400 || a.status() == 414, abbreviated(path) + " -> " + a.status());
        if (a.status() == 200) {
          assertEquals(0, a.json().get("buckets").size(), abbreviated(path));
        }
        answers.add(a.body());
      }
    }
    for (String body : answers) {
      String lower = body.toLowerCase(java.util.Locale.ROOT);
      assertFalse(lower.contains("sql") || lower.contains("exception") || lower.contains("at io.siloreports")
          || lower.contains("stack"), "an answer shows internals: " + abbreviated(body));
    }
    assertEquals(jobsBefore, jobs.count(null), "no hostile request created a job");
    assertTrue(checked("GET", "/api/reports", api.get("/api/reports")).status() == 200, "the job table is intact");
  }

  private static String abbreviated(String s) {
    return s.length() <= 120 ? s : s.substring(0, 120) + "... (" + s.length() + " characters)";
  }

  @Test
  void badInputIsA400WithTheReasonAndNeverAServerError() throws Exception {
    Map<String, String> bodies = Map.ofEntries(
        Map.entry("{\"silo\": [1]}", "unknown field 'silo'"),
        Map.entry("{\"from\": \"yesterday\"}", "from must be an ISO-8601 time or date"),
        Map.entry("{\"from\": \"2026-11-05\", \"to\": \"2026-11-01\"}", "from must be before to"),
        Map.entry("{\"from\": \"2000-01-01\", \"to\": \"2026-11-01\"}", "the range is longer than"),
        Map.entry("{\"silos\": [1, \"x\"]}", "silos must be non-negative integers"),
        Map.entry("{\"silos\": [1, 1]}", "a silo is listed twice"),
        Map.entry("{\"silos\": \"1;DROP TABLE report_jobs\"}", "silos must look like 1,2,5-8"),
        Map.entry("{\"silos\": {\"a\": 1}}", "silos must be an array"),
        Map.entry("{\"as_of\": 12}", "as_of must be an ISO-8601 time or date text"),
        Map.entry("{\"format\": \"docx\"}", "format must be xlsx, csv or pdf"),
        Map.entry("[1, 2]", "the body must be a JSON object"),
        Map.entry("{not json", "the body is not valid JSON"));
    for (Map.Entry<String, String> e : bodies.entrySet()) {
      ApiClient.Answer a = checked("POST", "/api/reports", api.post("/api/reports", e.getValue() == null ? null : e.getKey()));
      assertEquals(400, a.status(), e.getKey());
      assertTrue(a.json().get("error").asText().contains(e.getValue()), e.getKey() + " -> " + a.body());
    }
    ApiClient.Answer huge = api.post("/api/reports", "{\"silos\": \"" + "1,".repeat(40_000) + "1\"}");
    assertEquals(413, huge.status());
    ApiClient.Answer tooMany = api.post("/api/reports", "{\"silos\": \"0-20000\"}");
    assertEquals(400, tooMany.status(), tooMany.body());
    List<String> paths = List.of("/api/reports/..%2F..%2Fetc", "/api/reports/%27%3B%20DROP%20TABLE%20report_jobs%3B--",
        "/api/reports/" + "a".repeat(200), "/api/reports?limit=0", "/api/reports?limit=abc", "/api/reports?status=DONE",
        "/api/reports?limit=1&limit=2", "/api/buckets", "/api/buckets?record_type=items&from=2026-11-01",
        "/api/buckets?record_type=it%27ems&from=2026-11-01&to=2026-11-02",
        "/api/buckets?record_type=items&minutes=7&from=2026-11-01&to=2026-11-02",
        "/api/buckets?record_type=items&from=2026-11-02&to=2026-11-01");
    List<String> bodiesSeen = new ArrayList<>();
    for (String p : paths) {
      ApiClient.Answer a = api.get(p);
      assertEquals(400, a.status(), p + " -> " + a.body());
      bodiesSeen.add(a.body().toLowerCase(java.util.Locale.ROOT));
    }
    assertFalse(bodiesSeen.stream().anyMatch(b -> b.contains("sql") || b.contains("exception")), bodiesSeen.toString());
    assertEquals(404, api.get("/api/nothing-here").status());
    assertEquals(405, api.get("/initiate-silo-report").status());
  }

  @Test
  void aCompletedLocalReportGetsAFreshSignedLinkOnEveryReadAndExpiresWhenItsFileIsGone() throws Exception {
    String id = api.post("/api/reports", null).json().get("jobId").asText();
    String key = "reports/" + id + "/silo_data_report.xlsx";
    Path file = dir.resolve("output").resolve(key);
    Files.createDirectories(file.getParent());
    byte[] bytes = "a workbook".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(file, bytes);
    assertTrue(jobs.markProcessing(id));
    String summary = "{\"rules\":{\"anomalyThreshold\":6.0},\"allSilos\":{\"readings\":12},"
        + "\"silos\":[{\"silo\":1,\"readings\":12,\"hoursWithData\":2,\"hoursWithoutData\":1,\"stale\":false,"
        + "\"anomalies\":0,\"average\":3.25}]}";
    assertTrue(jobs.markCompleted(id, key, file.toUri().toString(), summary));

    ApiClient.Answer seed = checked("GET", "/silo-report-status/{jobId}", api.get("/silo-report-status/" + id));
    assertEquals("COMPLETED", seed.json().get("status").asText());
    String link = seed.json().get("s3Url").asText();
    assertTrue(link.startsWith(server.url() + "/api/files/reports/" + id + "/"), link);
    var download = api.download(link);
    assertEquals(200, download.statusCode());
    assertArrayEquals(bytes, download.body());
    assertEquals(403, api.download(link.replaceAll("signature=[0-9a-f]{8}", "signature=00000000")).statusCode());
    assertEquals(403, api.download(link.replace("expires=", "expires=1")).statusCode(), "a changed expiry");
    assertEquals(403, api.download(server.url() + "/api/files/..%2F..%2Fjobstore.db?expires=9999999999&signature=x")
        .statusCode());
    var detail = checked("GET", "/api/reports/{jobId}", api.get("/api/reports/" + id)).json();
    String other = detail.get("downloadUrl").asText();
    assertEquals(3.25, detail.get("summary").get("silos").get(0).get("average").asDouble(), "the report's statistics");
    assertEquals(12, detail.get("summary").get("allSilos").get("readings").asLong());
    assertTrue(seed.json().get("summary") == null, "the seed's status answer stays as it was");
    assertEquals(200, api.download(other).statusCode());

    Files.delete(file);
    ApiClient.Answer gone = checked("GET", "/api/reports/{jobId}", api.get("/api/reports/" + id));
    assertEquals("EXPIRED", gone.json().get("status").asText());
    assertTrue(gone.json().get("downloadUrl").isNull());
    assertEquals(URI.create(link).getPath(), URI.create(link).getPath()); // the link itself stays a plain URL
    assertEquals(403, api.download(link).statusCode());
  }

  @Test
  void bucketsSilosAndHealthAnswerFromAnEmptyStore() throws Exception {
    ApiClient.Answer buckets = checked("GET", "/api/buckets", api.get(
        "/api/buckets?record_type=items&account_id=acc-1&minutes=15&from=2026-11-01&to=2026-11-02"));
    assertEquals(200, buckets.status());
    assertEquals(0, buckets.json().get("buckets").size());
    assertEquals(0, checked("GET", "/api/silos", api.get("/api/silos")).json().get("silos").size());
    ApiClient.Answer live = checked("GET", "/api/health", api.withToken(null).get("/api/health"));
    assertEquals(503, live.status(), "no pipeline has committed");
    assertEquals("{\"status\":\"unhealthy\"}", live.body(), "without a token: the status and nothing else");
    assertEquals(401, api.withToken(null).get("/api/health/detail").status());
    ApiClient.Answer health = checked("GET", "/api/health/detail", api.get("/api/health/detail"));
    assertEquals(503, health.status(), "no pipeline has committed");
    assertEquals("unhealthy", health.json().get("status").asText());
    assertTrue(health.json().get("jobStore").get("reachable").asBoolean());
    assertEquals(2, health.json().get("pipelines").size());
    assertEquals(new ObjectMapper().readTree("false"), health.json().get("pipelines").get(0).get("ok"));
  }

  @Test
  void healthIsOkWhenEveryPipelineCommittedRecentlyAnd503NamingTheOneThatDidNot() throws Exception {
    java.time.Instant now = java.time.Instant.now();
    Map<io.siloreports.model.Pipeline, io.siloreports.model.AggregationProgress> committed = new java.util.HashMap<>();
    io.siloreports.store.ProgressStore progress = new io.siloreports.store.ProgressStore() {
      @Override
      public java.util.Optional<io.siloreports.model.AggregationProgress> last(io.siloreports.model.Pipeline p) {
        return java.util.Optional.ofNullable(committed.get(p));
      }

      @Override
      public String describe() {
        return "the test's";
      }
    };
    for (io.siloreports.model.Pipeline p : io.siloreports.model.Pipeline.values()) {
      committed.put(p, new io.siloreports.model.AggregationProgress(p, 7, now.minusSeconds(7200),
          now.minusSeconds(1800), 10, 0, 0, 0, null, null, now.minusSeconds(60)));
    }
    try (ApiServer health = ApiServer.builder().listen("127.0.0.1", 0, 2).limits(config.limits())
        .tokens("ops:" + OPS)
        .jobs(new ReportJobLifecycle(jobs), key -> java.util.Optional.empty())
        .aggregates(progress, null, java.time.Duration.ofMinutes(15))
        .page(new ApiServer.PageSettings(java.time.Duration.ofSeconds(5), java.time.Duration.ofMinutes(1), 31))
        .clock(Clock.systemUTC()).build()) {
      health.start();
      ApiClient client = new ApiClient(health.url(), OPS);
      assertEquals(200, checked("GET", "/api/health", client.withToken(null).get("/api/health")).status());
      ApiClient.Answer ok = checked("GET", "/api/health/detail", client.get("/api/health/detail"));
      assertEquals(200, ok.status(), ok.body());
      JsonNode first = ok.json().get("pipelines").get(0);
      assertEquals(7, first.get("lastBatch").asLong());
      assertTrue(first.get("eventTimeLagSeconds").asLong() >= 1800);
      committed.put(io.siloreports.model.Pipeline.ACTIVITY_EVENTS, new io.siloreports.model.AggregationProgress(
          io.siloreports.model.Pipeline.ACTIVITY_EVENTS, 3, null, null, 0, 0, 0, 0, null, null, now.minusSeconds(3600)));
      assertEquals(503, checked("GET", "/api/health", client.withToken(null).get("/api/health")).status());
      ApiClient.Answer stale = checked("GET", "/api/health/detail", client.get("/api/health/detail"));
      assertEquals(503, stale.status());
      assertTrue(stale.json().get("pipelines").get(1).get("problem").asText().startsWith("no batch committed for"),
          stale.body());
      assertTrue(stale.json().get("pipelines").get(0).get("ok").asBoolean());
    }
  }
}
