package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.Profiles;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * The service's logs per request, on the embedded default without a worker: the access log's modes
 * ({@code api.access-log}), its line (client address, request id, never the query), and the request id kept or made,
 * answered in {@code X-Request-Id}, set in the log context of the request's lines and stored with the job it created.
 */
class RequestLogTest {
  private static final String TOKEN = "alice-token-1-for-tests-0123456789";
  @TempDir Path dir;

  private ReportService start(String accessLog) throws Exception {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "alice:" + TOKEN);
    m.put("api.worker", "false");
    if (accessLog != null) {
      m.put("api.access-log", accessLog);
    }
    ReportService server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();
    return server;
  }

  @Test
  void byDefaultOnlyFailedAndSlowRequestsGetAnInfoLineWithTheClientAndTheRequestId() throws Exception {
    try (ReportService server = start(null); LogCapture log = LogCapture.of(AccessLog.class)) {
      ApiClient api = new ApiClient(server.url(), TOKEN);
      for (int i = 0; i < 20; i++) {
        assertEquals(200, api.get("/api/reports?limit=1").status());
      }
      assertEquals(List.of(), log.lines(), "routine reads write nothing at INFO");
      ApiClient.Answer missing = api.withHeader(ApiServer.REQUEST_ID_HEADER, "trace-404.a_b")
          .get("/api/reports/r-nope?secret-looking=query");
      assertEquals(404, missing.status());
      awaitLines(log, 1);
      assertEquals(List.of("INFO GET /api/reports/r-nope -> 404 in " + millis(log.lines().get(0))
          + " ms (alice) from 127.0.0.1 request trace-404.a_b"), log.lines());
      assertEquals(List.of(log.lines().get(0)), log.linesIn(LogContext.REQUEST_ID, "trace-404.a_b"),
          "written in the request's log context");
      assertEquals(401, api.withToken("wrong").get("/api/reports").status());
      awaitLines(log, 2);
      assertTrue(log.lines().get(1).matches(
          "INFO GET /api/reports -> 401 in \\d+ ms from 127\\.0\\.0\\.1 request [0-9a-f]{16}"), log.lines().toString());
    }
  }

  /** At 1,000 status reads a second the service wrote 60,000 INFO lines a minute; by default it now writes none. */
  @Test
  void aThousandStatusReadsWriteNoInfoLineAnywhereInTheService() throws Exception {
    try (ReportService server = start(null)) {
      ApiClient api = new ApiClient(server.url(), TOKEN);
      String jobId = api.post("/api/reports", "{}").json().get("jobId").asText();
      try (LogCapture log = LogCapture.of("io.siloreports")) {
        // Ten clients at once: where an earlier test's HTTP server started first, this JVM has Nagle's delay
        // (ApiServer.NO_DELAY is read once), ~45 ms a read.
        ExecutorService clients = Executors.newFixedThreadPool(10);
        List<Future<Integer>> reads = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          String path = i % 2 == 0 ? "/api/reports/" + jobId : "/silo-report-status/" + jobId;
          reads.add(clients.submit(() -> api.get(path).status()));
        }
        for (Future<Integer> read : reads) {
          assertEquals(200, read.get());
        }
        clients.shutdown();
        Thread.sleep(200); // a line would be written just after the answer
        assertEquals(List.of(), log.lines());
      }
    }
  }

  @Test
  void allWritesEveryRequestAndOffNone() throws Exception {
    try (ReportService server = start("all"); LogCapture log = LogCapture.of(AccessLog.class)) {
      new ApiClient(server.url(), TOKEN).get("/api/reports");
      new ApiClient(server.url(), null).get("/");
      awaitLines(log, 2);
      assertEquals(2, log.lines().size(), log.lines().toString());
      assertTrue(log.lines().get(1).startsWith("INFO GET / -> 200 in "), log.lines().toString());
    }
    try (ReportService server = start("off"); LogCapture log = LogCapture.of(AccessLog.class)) {
      ApiClient api = new ApiClient(server.url(), TOKEN);
      api.get("/api/reports");
      api.get("/api/nothing-here");
      api.withToken(null).get("/api/reports");
      Thread.sleep(200); // a line would be written just after the answer
      assertEquals(List.of(), log.lines());
    }
  }

  @Test
  void theLevelOfALineFollowsTheModeTheStatusAndTheTime() {
    AccessLog errors = new AccessLog(AccessLog.Mode.ERRORS, Duration.ofMillis(500));
    assertEquals(Level.DEBUG, errors.levelOf(200, 499));
    assertEquals(Level.INFO, errors.levelOf(200, 500), "slow counts as an error");
    assertEquals(Level.INFO, errors.levelOf(404, 1));
    assertEquals(Level.INFO, errors.levelOf(429, 1));
    assertEquals(Level.WARN, errors.levelOf(503, 1));
    AccessLog all = new AccessLog(AccessLog.Mode.ALL, Duration.ofMillis(500));
    assertEquals(Level.INFO, all.levelOf(200, 1));
    assertEquals(Level.WARN, all.levelOf(500, 1));
    AccessLog off = new AccessLog(AccessLog.Mode.OFF, Duration.ofMillis(500));
    assertNull(off.levelOf(500, 10_000));
    assertNull(off.levelOf(200, 1));
  }

  @Test
  void aWellFormedRequestIdIsKeptAnyOtherReplacedAndTheJobItCreatesKeepsIt() throws Exception {
    try (ReportService server = start(null); LogCapture jobLog = LogCapture.of(ReportJobLifecycle.class)) {
      ApiClient api = new ApiClient(server.url(), TOKEN);
      String kept = "A".repeat(60) + "-._9";
      assertEquals(kept, api.withHeader(ApiServer.REQUEST_ID_HEADER, kept).get("/api/reports")
          .header(ApiServer.REQUEST_ID_HEADER));
      for (String bad : List.of("A".repeat(65), "a b", "a\\u00e9", "id;drop", "")) {
        String answered = api.withHeader(ApiServer.REQUEST_ID_HEADER, bad).get("/api/reports")
            .header(ApiServer.REQUEST_ID_HEADER);
        assertTrue(answered.matches("[0-9a-f]{16}"), "'" + bad + "' replaced by a new id, got " + answered);
      }
      String made = api.get("/api/reports").header(ApiServer.REQUEST_ID_HEADER);
      assertTrue(made.matches("[0-9a-f]{16}"), made);
      assertTrue(!made.equals(api.get("/api/reports").header(ApiServer.REQUEST_ID_HEADER)), "one per request");

      ApiClient.Answer created = api.withHeader(ApiServer.REQUEST_ID_HEADER, "create-1").post("/api/reports", "{}");
      assertEquals(202, created.status(), created.body());
      String jobId = created.json().get("jobId").asText();
      assertEquals("create-1", api.get("/api/reports/" + jobId).json().get("requestId").asText());
      assertEquals(List.of("INFO report " + jobId + ": PENDING, asked by alice"),
          jobLog.linesIn(LogContext.REQUEST_ID, "create-1"));
      String seedJob = api.post("/initiate-silo-report", null).json().get("jobId").asText();
      assertTrue(api.get("/api/reports/" + seedJob).json().get("requestId").asText().matches("[0-9a-f]{16}"));
    }
  }

  /** The access log line is written just after the answer went out. */
  private static void awaitLines(LogCapture log, int count) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (log.lines().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static String millis(String line) {
    return line.replaceAll(".* in (\\d+) ms.*", "$1");
  }
}
