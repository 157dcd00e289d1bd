package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.Profiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headers a browser acts on, over real HTTP: the security headers on every kind of answer (the page, its script,
 * the API, a download, the errors), and CORS for the listed origin only, its preflight answered without a token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeHeadersTest {
  private static final String TOKEN = "edge-token-0123456789-for-tests-abcdefghij";
  private static final String LISTED = "http://app.example:3000";
  @TempDir static Path dir;
  private ReportService server;
  private ReportJobStore jobs;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "edge:" + TOKEN);
    m.put("api.worker", "false");
    m.put("api.cors.allowed-origins", LISTED + ", https://other.example");
    server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();
    jobs = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), false, Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String pathOrUrl, String... headers) throws Exception {
    URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : server.url() + pathOrUrl);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private String completedDownloadLink() throws Exception {
    ApiClient api = new ApiClient(server.url(), TOKEN);
    String id = api.post("/api/reports", null).json().get("jobId").asText();
    String key = "reports/" + id + "/silo_data_report.xlsx";
    Path file = dir.resolve("output").resolve(key);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "a workbook");
    assertTrue(jobs.markProcessing(id));
    assertTrue(jobs.markCompleted(id, key, file.toUri().toString(), null));
    return api.get("/api/reports/" + id).json().get("downloadUrl").asText();
  }

  @Test
  void everyKindOfAnswerCarriesTheSecurityHeaders() throws Exception {
    String auth = "Bearer " + TOKEN;
    List<HttpResponse<String>> answers = List.of(
        send("GET", "/"), send("GET", "/app.js"), send("GET", "/app.css"), send("GET", "/api/openapi.json"),
        send("GET", "/api/reports", "Authorization", auth), send("GET", "/api/reports"),
        send("GET", "/api/nothing-here", "Authorization", auth), send("DELETE", "/api/reports", "Authorization", auth),
        send("GET", completedDownloadLink()), send("GET", "/api/files/x?expires=1&signature=x"));
    assertEquals(List.of(200, 200, 200, 200, 200, 401, 404, 405, 200, 403),
        answers.stream().map(HttpResponse::statusCode).toList());
    for (HttpResponse<String> r : answers) {
      String what = r.request().method() + " " + r.uri().getPath() + " " + r.statusCode();
      assertEquals(EdgeHeaders.CSP, header(r, "Content-Security-Policy"), what);
      assertTrue(EdgeHeaders.CSP.contains("frame-ancestors 'none'") && !EdgeHeaders.CSP.contains("unsafe-inline"));
      assertEquals("nosniff", header(r, "X-Content-Type-Options"), what);
      assertEquals("DENY", header(r, "X-Frame-Options"), what);
      assertEquals("no-referrer", header(r, "Referrer-Policy"), what);
      assertEquals("no-store", header(r, "Cache-Control"), what);
      assertEquals(null, header(r, "Strict-Transport-Security"), what + ": no HSTS over plain HTTP");
    }
    assertEquals("a workbook", answers.get(8).body());
    assertTrue(header(answers.get(8), "Content-Disposition").startsWith("attachment"));
    assertTrue(header(answers.get(1), "Content-Type").startsWith("text/javascript"), "nosniff needs the right type");
    assertTrue(header(answers.get(2), "Content-Type").startsWith("text/css"));
    assertFalse(answers.get(0).body().contains("<script>") || answers.get(0).body().contains("style="),
        "no inline script or style on the page: the CSP would block it");
  }

  @Test
  void aListedOriginGetsCorsHeadersAndItsPreflightPassesWithoutAToken() throws Exception {
    HttpResponse<String> pre = send("OPTIONS", "/api/reports", "Origin", LISTED,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type");
    assertEquals(204, pre.statusCode());
    assertEquals(LISTED, header(pre, "Access-Control-Allow-Origin"));
    assertEquals("GET, POST, OPTIONS", header(pre, "Access-Control-Allow-Methods"));
    assertEquals("Authorization, Content-Type, X-Request-Id", header(pre, "Access-Control-Allow-Headers"));
    assertEquals("600", header(pre, "Access-Control-Max-Age"));
    assertEquals("Origin", header(pre, "Vary"));
    assertEquals(null, header(pre, "Access-Control-Allow-Credentials"), "a bearer token needs no credentials mode");

    HttpResponse<String> get = send("GET", "/api/reports", "Origin", LISTED, "Authorization", "Bearer " + TOKEN);
    assertEquals(200, get.statusCode());
    assertEquals(LISTED, header(get, "Access-Control-Allow-Origin"));
    assertEquals("Origin", header(get, "Vary"));
    HttpResponse<String> unauthorized = send("GET", "/api/reports", "Origin", LISTED);
    assertEquals(401, unauthorized.statusCode());
    assertEquals(LISTED, header(unauthorized, "Access-Control-Allow-Origin"), "the page can read why it failed");
  }

  @Test
  void anOriginNotListedGetsNoCorsHeaderAndItsPreflightIsRefused() throws Exception {
    for (String origin : List.of("http://app.example:3001", "https://app.example:3000", "http://evil.example",
        "null")) {
      HttpResponse<String> pre = send("OPTIONS", "/api/reports", "Origin", origin,
          "Access-Control-Request-Method", "GET");
      assertEquals(403, pre.statusCode(), origin);
      assertEquals(null, header(pre, "Access-Control-Allow-Origin"), origin);
      HttpResponse<String> get = send("GET", "/api/reports", "Origin", origin, "Authorization", "Bearer " + TOKEN);
      assertEquals(200, get.statusCode(), "the server answers; the browser withholds it from the page");
      assertEquals(null, header(get, "Access-Control-Allow-Origin"), origin);
    }
    assertEquals(405, send("OPTIONS", "/api/reports").statusCode(), "an OPTIONS that is not a preflight");
  }

  @Test
  void originsAreConfiguredExactlyAsBrowsersSendThem() {
    EdgeHeaders h = new EdgeHeaders(Set.of("HTTPS://App.Example:8443", "http://localhost:3000"), null);
    assertTrue(h.corsAllowed("https://app.example:8443"));
    assertTrue(h.corsAllowed("http://localhost:3000"));
    assertFalse(h.corsAllowed("http://localhost:3001"));
    assertFalse(h.corsAllowed("http://localhost"));
    assertFalse(h.corsAllowed(null));
    for (String bad : List.of("*", "app.example", "https://app.example/", "https://app.example/path",
        "ftp://app.example", "https://user@app.example")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new EdgeHeaders(Set.of(bad), null), bad);
      assertTrue(e.getMessage().startsWith("api.cors.allowed-origins: "), e.getMessage());
    }
  }
}
