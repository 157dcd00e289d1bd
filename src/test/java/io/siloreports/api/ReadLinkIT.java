package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.OutputConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.output.S3ReportOutput;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.servers.EmbeddedS3;
import io.siloreports.testing.servers.SharedTestServers;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26's acceptance "a notification read 24 hours after the job completed downloads the report", with the real
 * service ({@link Wiring#api}: its worker sends the notification, its HTTP server answers the link) and real S3
 * ({@link EmbeddedS3}, S3Proxy): the link in the message is the service's {@code /r/<jobId>}, which on each click
 * checks its signature and the job and redirects to a freshly presigned URL; a changed or expired link is a 403 page,
 * a deleted report a 410 page, never a stack trace; the presigned URL stored at completion is not in the message.
 * The service's clock is moved forward a day; S3Proxy checks the fresh URL against the real time, as S3 would.
 */
class ReadLinkIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "ops-token-123-for-tests-0123456789";
  @TempDir Path dir;

  @Test
  void aNotificationReadADayLaterDownloadsTheReportAndAChangedOrExpiredLinkIsRefused() throws Exception {
    EmbeddedS3 s3 = SharedTestServers.s3();
    String prefix = "readlink-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String publicUrl = "http://127.0.0.1:" + port;
    Map<String, JsonNode> announced = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", x -> {
      JsonNode n = JSON.readTree(x.getRequestBody().readAllBytes());
      announced.put(n.path("job_id").asText(), n);
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();
    Map<String, String> m = Profiles.service(Profiles.s3(Profiles.embedded(dir), s3, prefix), dir, "ops:" + TOKEN);
    m.put("api.port", Integer.toString(port));
    m.put("api.public-url", publicUrl);
    m.put("worker.submitter", "none");
    m.put("notify.targets", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    m.put("notify.webhook.secret", "hook-secret");
    Settings settings = Settings.of(m);
    MovableClock clock = new MovableClock(Instant.now());

    // A report as a run leaves it: the workbook on S3, the job COMPLETED with the presigned URL of that moment.
    byte[] workbook = new byte[200_000];
    new Random(26).nextBytes(workbook);
    Path file = Files.write(dir.resolve("report.xlsx"), workbook);
    String id = "r-readlink-1";
    ReportOutput.Stored stored;
    try (S3ReportOutput out = new S3ReportOutput(OutputConfig.from(settings).s3())) {
      stored = out.store(file, "reports/" + id + "/silo_data_report.xlsx");
    }
    ReportJobStore jobs = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), true, clock);
    jobs.create(id, "silo_hourly", "{}");
    jobs.markProcessing(id);
    jobs.markCompleted(id, stored.key(), stored.url());

    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    try (ReportService service = Wiring.api(ApiConfig.from(settings), clock)) {
      service.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!announced.containsKey(id) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      JsonNode note = announced.get(id);
      assertTrue(note != null, "the worker announced the COMPLETED job");
      String link = note.path("url").asText();
      assertTrue(link.startsWith(publicUrl + "/r/" + id + "?expires="), link);
      assertFalse(note.toString().contains(stored.url()), "the presigned URL stored at completion is not sent");
      assertFalse(note.toString().contains("X-Amz-") || note.toString().contains("file:"), note.toString());

      clock.advance(Duration.ofHours(24)); // read the next day
      Thread.sleep(1100); // S3's presigner signs with the real time, to the second: a click later than the upload
      HttpResponse<String> click = http.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(303, click.statusCode(), click.body());
      String fresh = click.headers().firstValue("Location").orElseThrow();
      assertTrue(amzDate(fresh).compareTo(amzDate(stored.url())) > 0, "signed at the click: " + fresh);
      HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(fresh)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, download.statusCode());
      assertArrayEquals(workbook, download.body(), "the report, byte for byte");

      String signature = link.replaceAll(".*signature=", "");
      String changed = link.replace(signature, (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1));
      for (String bad : new String[] {changed, link.replace("/r/" + id, "/r/r-readlink-2"),
          link.replaceAll("expires=([0-9]+)", "expires=9$1")}) {
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(bad)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), bad);
        assertTrue(refused.body().contains("<h1>Not a valid link</h1>"), refused.body());
      }
      HttpResponse<String> cut = http.send(HttpRequest.newBuilder(URI.create(link.replaceAll("&signature=.*", "")))
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, cut.statusCode(), cut.body());

      // The API's job JSON carries the same kind of link; a report deleted since is a page saying so.
      ApiClient api = new ApiClient(service.url(), TOKEN);
      String shareUrl = api.get("/api/reports/" + id).json().path("shareUrl").asText();
      assertTrue(shareUrl.startsWith(publicUrl + "/r/" + id + "?expires="), shareUrl);
      s3.s3Client().deleteObject(r -> r.bucket(s3.bucket()).key(stored.key()));
      HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(shareUrl)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(410, gone.statusCode(), gone.body());
      assertTrue(gone.body().contains("<h1>This report has expired</h1>") && !gone.body().contains("Exception"),
          gone.body());

      clock.advance(Duration.ofDays(7)); // past notify.link-ttl (7 days from the notification)
      HttpResponse<String> old = http.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, old.statusCode(), old.body());
      assertTrue(old.body().contains("<h1>This link has expired</h1>"), old.body());
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void withLocalReportsTheLinkLeadsToTheServicesOwnSignedDownloadNeverAServerPath() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String publicUrl = "http://127.0.0.1:" + port;
    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "ops:" + TOKEN);
    m.put("api.port", Integer.toString(port));
    m.put("api.public-url", publicUrl);
    m.put("worker.submitter", "none");
    MovableClock clock = new MovableClock(Instant.now());
    byte[] workbook = new byte[50_000];
    new Random(27).nextBytes(workbook);
    String id = "r-readlink-local";
    String key = "reports/" + id + "/silo_data_report.xlsx";
    Path file = Files.createDirectories(dir.resolve("output/reports/" + id)).resolve("silo_data_report.xlsx");
    Files.write(file, workbook);
    ReportJobStore jobs = Wiring.jobStore(new Jdbc(m.get("jobstore.url"), null, null), true, clock);
    jobs.create(id, "silo_hourly", "{}");
    jobs.markProcessing(id);
    jobs.markCompleted(id, key, file.toUri().toString());

    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    try (ReportService service = Wiring.api(ApiConfig.from(Settings.of(m)), clock)) {
      service.start();
      JsonNode job = new ApiClient(service.url(), TOKEN).get("/api/reports/" + id).json();
      String link = job.path("shareUrl").asText();
      assertTrue(link.startsWith(publicUrl + "/r/" + id + "?expires="), job.toString());
      assertFalse(job.toString().contains("file:"), "no server path in the job's JSON");
      clock.advance(Duration.ofHours(24));
      HttpResponse<String> click = http.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(303, click.statusCode(), click.body());
      String fresh = click.headers().firstValue("Location").orElseThrow();
      assertTrue(fresh.startsWith(publicUrl + "/api/files/" + key + "?expires="), fresh);
      HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(fresh)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, download.statusCode());
      assertArrayEquals(workbook, download.body());
    }
  }

  private static String amzDate(String presigned) {
    return presigned.replaceAll(".*X-Amz-Date=([0-9TZ]+).*", "$1");
  }
}
