package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.output.LocalDownloadLinks;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.store.ProgressStore;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.JobStores;
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.MovableClock;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may ask how much, through the real HTTP server: failed-authentication throttling per client address (and
 * X-Forwarded-For believed only from a trusted proxy), the job quotas, request ranges checked after their defaults,
 * hostile download links, and a health check that never shows an exception's text. On SQLite;
 * {@link ApiQuotaMySqlIT} runs the quotas against MariaDB.
 */
class ApiAccessTest {
  static final String ALICE = "alice-token-1-for-tests-0123456789";
  static final String BOB = "bob-token-22-for-tests-0123456789ab";
  static final Instant START = Instant.parse("2026-12-06T12:00:00Z");
  @TempDir Path dir;

  /** A service over {@code store}: alice and bob, 3 failures a minute, the given quotas, links under dir/output. */
  static ApiServer server(ReportJobStore store, Clock clock, String trustedProxies, int perToken, int total,
      Path dir, ProgressStore progress) throws Exception {
    ApiServer s = ApiServer.builder().listen("127.0.0.1", 0, 24)
        .limits(new ConnectionLimits(Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(75), 1000))
        .tokens("alice:" + ALICE + ",bob:" + BOB)
        .access(3, Duration.ofMinutes(1), trustedProxies)
        .quotas(perToken, total, Duration.ofSeconds(30))
        .jobs(new ReportJobLifecycle(store), new LocalDownloadLinks(dir.resolve("output"), () -> "http://x",
            "k".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1), clock))
        .aggregates(progress, null, Duration.ofMinutes(15))
        .page(new ApiServer.PageSettings(Duration.ofSeconds(5), Duration.ofMinutes(1), 31))
        .clock(clock).build();
    s.start();
    return s;
  }

  private static ProgressStore noProgress() {
    return new ProgressStore() {
      @Override
      public Optional<AggregationProgress> last(Pipeline p) {
        return Optional.empty();
      }

      @Override
      public String describe() {
        return "none";
      }
    };
  }

  private static HttpResponse<String> get(String url, String token, String forwardedFor) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (forwardedFor != null) {
      b.header("X-Forwarded-For", forwardedFor);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAddressWithTooManyBadTokensGets429UntilItsWindowPassesWhileOthersGoOn() throws Exception {
    MovableClock clock = new MovableClock(START);
    try (ReportJobStore store = JobStores.sqlite(dir, clock, "api");
        ApiServer s = server(store, clock, "127.0.0.1", 20, 200, dir, noProgress());
        LogCapture log = LogCapture.of(ApiServer.class)) {
      String reports = s.url() + "/api/reports";
      for (int i = 0; i < 3; i++) {
        assertEquals(401, get(reports, "wrong-" + i, "203.0.113.5").statusCode());
      }
      HttpResponse<String> refused = get(reports, ALICE, "203.0.113.5");
      assertEquals(429, refused.statusCode(), "refused without the token being checked, even a good one");
      assertEquals("60", refused.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(refused.body().contains("too many failed authentications"), refused.body());
      assertEquals(200, get(reports, ALICE, "203.0.113.6").statusCode(), "a good token from another address");
      assertEquals(401, get(reports, "wrong", "203.0.113.6").statusCode(), "another address has its own count");
      clock.advance(Duration.ofSeconds(45));
      assertEquals("15", get(reports, BOB, "203.0.113.5").headers().firstValue("Retry-After").orElseThrow());
      clock.advance(Duration.ofSeconds(15));
      assertEquals(200, get(reports, BOB, "203.0.113.5").statusCode(), "the window has passed");
      List<String> warned = log.linesWith("WARN", "failed authentication from 203.0.113.5 on GET /api/reports");
      assertEquals(2, warned.size(), "the first failure and the refusal: " + log.lines());
      assertTrue(log.lines().stream().noneMatch(l -> l.contains("wrong-")), "never the token");
    }
  }

  @Test
  void xForwardedForIsBelievedOnlyFromATrustedProxy() throws Exception {
    MovableClock clock = new MovableClock(START);
    try (ReportJobStore store = JobStores.sqlite(dir, clock, "api");
        ApiServer s = server(store, clock, "10.0.0.0/8", 20, 200, dir, noProgress())) {
      String reports = s.url() + "/api/reports";
      // 127.0.0.1 is no trusted proxy: a new X-Forwarded-For per request does not make a new client.
      for (int i = 0; i < 3; i++) {
        assertEquals(401, get(reports, "wrong", "198.51.100." + i).statusCode());
      }
      assertEquals(429, get(reports, ALICE, "198.51.100.99").statusCode(), "the peer, 127.0.0.1, is throttled");
    }
  }

  private static List<Integer> createConcurrently(String url, String token, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        calls.add(() -> new ApiClient(url, token).post("/api/reports", null).status());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(calls)) {
        statuses.add(f.get());
      }
      return statuses;
    } finally {
      pool.shutdown();
    }
  }

  /** The quotas of one store: shared with {@link ApiQuotaMySqlIT}. */
  static void quotasHoldExactlyUnderConcurrentCreators(ReportJobStore store, Path dir) throws Exception {
    Clock clock = Clock.systemUTC();
    try (ApiServer s = server(store, clock, null, 5, 8, dir, noProgress())) {
      List<Integer> alice = createConcurrently(s.url(), ALICE, 20);
      assertEquals(5, alice.stream().filter(c -> c == 202).count(), alice.toString());
      assertEquals(15, alice.stream().filter(c -> c == 429).count(), alice.toString());
      assertEquals(5, store.unfinished("alice").byRequester(), "the store agrees");

      ApiClient.Answer full = new ApiClient(s.url(), ALICE).post("/initiate-silo-report", null);
      assertEquals(429, full.status(), "the seed's endpoint has the same quota");
      assertEquals("quota api.quota.pending-per-token: at most 5 unfinished jobs per token, and alice has 5"
          + " (PENDING, SUBMITTED or PROCESSING); ask again when one has ended", full.json().get("error").asText());
      HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(s.url() + "/api/reports")).header("Authorization", "Bearer " + ALICE)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("30", raw.headers().firstValue("Retry-After").orElseThrow());

      List<Integer> bob = createConcurrently(s.url(), BOB, 20);
      assertEquals(3, bob.stream().filter(c -> c == 202).count(), "8 in all: " + bob);
      ApiClient.Answer total = new ApiClient(s.url(), BOB).post("/api/reports", null);
      assertEquals("quota api.quota.pending-total: at most 8 unfinished jobs in all, and 8 are open; ask again when"
          + " one has ended", total.json().get("error").asText());

      // Jobs that end free their place; a SUBMITTED or PROCESSING one still holds it.
      String first = store.list(JobStatus.PENDING, 1, 0).get(0).jobId();
      String owner = store.find(first).orElseThrow().requestedBy();
      assertTrue(store.markProcessing(first));
      assertEquals(429, new ApiClient(s.url(), owner.equals("alice") ? ALICE : BOB).post("/api/reports", null)
          .status(), "PROCESSING is unfinished");
      assertTrue(store.markFailed(first, "test"));
      assertEquals(202, new ApiClient(s.url(), owner.equals("alice") ? ALICE : BOB).post("/api/reports", null)
          .status(), "a FAILED job frees its place");
    }
  }

  @Test
  void quotasHoldExactlyOnSqlite() throws Exception {
    try (ReportJobStore store = JobStores.sqlite(dir, Clock.systemUTC(), "api")) {
      quotasHoldExactlyUnderConcurrentCreators(store, dir);
    }
  }

  @Test
  void rangesAndCutOffsAreCheckedAfterTheirDefaults() throws Exception {
    MovableClock clock = new MovableClock(START);
    try (ReportJobStore store = JobStores.sqlite(dir, clock, "api");
        ApiServer s = server(store, clock, null, 20, 200, dir, noProgress())) {
      ApiClient api = new ApiClient(s.url(), ALICE);
      Map<String, String> refused = Map.of(
          "{\"from\": \"1970-01-01\"}", "the range is longer than 3700 days (from 1970-01-01T00:00:00Z, to defaulted"
              + " to 2026-12-06T12:00:00Z)",
          "{\"to\": \"1971-01-01\"}", "the range must start at most 3700 days before now",
          "{\"as_of\": \"1999-01-01\"}", "as_of must be at most 3700 days before now and 1 day after it",
          "{\"as_of\": \"9998-12-31\"}", "as_of must be at most 3700 days before now",
          "{\"from\": \"2026-12-01\", \"to\": \"2026-11-01\"}", "from must be before to",
          "{\"from\": \"2026-12-07\"}", "from must be before to (from 2026-12-07T00:00:00Z, to defaulted",
          "{\"from\": \"2010-01-01\", \"to\": \"2026-12-01\"}", "the range is longer than 3700 days");
      for (Map.Entry<String, String> e : refused.entrySet()) {
        for (String path : List.of("/api/reports", "/initiate-silo-report")) {
          ApiClient.Answer a = api.post(path, e.getKey());
          assertEquals(400, a.status(), path + " " + e.getKey() + " -> " + a.body());
          assertTrue(a.json().get("error").asText().startsWith(e.getValue()), e.getKey() + " -> " + a.body());
        }
      }
      assertEquals(0, store.count(null), "nothing was created");
      assertEquals(202, api.post("/api/reports", "{\"from\": \"2026-11-01\", \"as_of\": \"2026-12-06T11:00:00Z\"}")
          .status());
    }
  }

  @Test
  void hostileDownloadLinksAre400Or403NeverA500OrAStackTrace() throws Exception {
    MovableClock clock = new MovableClock(START);
    Path file = dir.resolve("output/reports/r-1/silo_data_report.xlsx");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "a workbook");
    try (ReportJobStore store = JobStores.sqlite(dir, clock, "api");
        ApiServer s = server(store, clock, null, 20, 200, dir, noProgress());
        LogCapture log = LogCapture.of(ApiServer.class)) {
      String base = s.url() + "/api/files/reports/r-1/silo_data_report.xlsx";
      Map<String, Integer> links = new java.util.LinkedHashMap<>();
      links.put("?expires=99999999999999999&signature=x", 403);
      links.put("?expires=9223372036854775807&signature=x", 400);
      links.put("?expires=99999999999999999999999&signature=x", 400);
      links.put("?expires=-1&signature=x", 400);
      links.put("?expires=1e9&signature=x", 400);
      links.put("?expires=abc&signature=x", 400);
      links.put("?expires=&signature=x", 400);
      links.put("?signature=x", 400);
      links.put("?expires=9999999999", 400);
      links.put("?expires=9999999999&signature=", 400);
      links.put("?expires=9999999999&signature=%00%0A", 403);
      links.put("?expires=1&signature=" + "0".repeat(64), 403);
      links.put("", 400);
      for (Map.Entry<String, Integer> e : links.entrySet()) {
        HttpResponse<String> r = get(base + e.getKey(), null, null);
        assertEquals(e.getValue(), r.statusCode(), e.getKey() + " -> " + r.body());
        assertTrue(r.body().contains("\"error\":\"the link"), e.getKey() + " -> " + r.body());
      }
      assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("ERROR") || l.contains("Exception")),
          "no stack trace, no error: " + log.lines());
    }
  }

  @Test
  void healthNeverShowsTheTextOfAFailureToAnybody() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nothing listens here once it is closed
    }
    String secretDb = "silo_prod_db_x7";
    Jdbc unreachable = new Jdbc("jdbc:mysql://127.0.0.1:" + closed + "/" + secretDb, "svc", "pw");
    ProgressStore failing = new ProgressStore() {
      @Override
      public Optional<AggregationProgress> last(Pipeline p) {
        throw new IllegalStateException("Communications link failure: db-internal.example:3306/" + secretDb);
      }

      @Override
      public String describe() {
        return "failing";
      }
    };
    try (ReportJobStore store = new JdbcReportJobStore(unreachable, Clock.systemUTC(), "api");
        LogCapture log = LogCapture.of(HealthApi.class);
        ApiServer s = server(store, Clock.systemUTC(), null, 20, 200, dir, failing)) {
      HttpResponse<String> live = get(s.url() + "/api/health", null, null);
      assertEquals(503, live.statusCode());
      assertEquals("{\"status\":\"unhealthy\"}", live.body());
      HttpResponse<String> detail = get(s.url() + "/api/health/detail", ALICE, null);
      assertEquals(503, detail.statusCode());
      get(s.url() + "/api/health/detail", ALICE, null);
      for (String body : List.of(live.body(), detail.body())) {
        for (String secret : List.of("127.0.0.1", Integer.toString(closed), secretDb, "db-internal", "3306",
            "Exception", "Communications", "jdbc")) {
          assertFalse(body.contains(secret), secret + " in " + body);
        }
      }
      assertTrue(detail.body().contains("job store unreachable (the service log has the reason)"), detail.body());
      assertTrue(detail.body().contains("cannot read the progress (the service log has the reason)"), detail.body());
      assertEquals(1, log.linesWith("WARN", "health: the job store cannot be read").size(),
          "logged once though asked three times: " + log.lines());
    }
  }
}
