package io.siloreports.worker.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications of finished jobs against local receivers: a webhook receiver that checks the signature (and fails
 * when told to), and an endpoint that speaks SNS's query protocol to the real AWS SDK client. Each job is announced
 * once, failures are retried and recorded, and no notification changes a job's status.
 */
class NotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "shared-secret-for-tests";
  @TempDir Path dir;
  private HttpServer receiver;
  private ReportJobStore jobs;
  private final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
  private final List<Map<String, String>> published = new CopyOnWriteArrayList<>();
  private final AtomicInteger failNext = new AtomicInteger();
  private final AtomicInteger calls = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hooks/secret-path", x -> {
      calls.incrementAndGet();
      String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      long ts = Long.parseLong(x.getRequestHeaders().getFirst(WebhookNotifier.TIMESTAMP_HEADER));
      boolean signed = receiversSignature(SECRET, ts + "." + body)
          .equals(x.getRequestHeaders().getFirst(WebhookNotifier.SIGNATURE_HEADER));
      int status = !signed ? 401 : failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 204;
      if (status == 204) {
        delivered.add(JSON.readTree(body));
      }
      x.sendResponseHeaders(status, -1);
      x.close();
    });
    receiver.createContext("/", x -> { // SNS: the SDK posts its query protocol to the endpoint's root
      Map<String, String> form = new HashMap<>();
      for (String kv : new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
        String[] p = kv.split("=", 2);
        form.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8),
            p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
      }
      published.add(form);
      byte[] b = ("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>"
          + "m-" + published.size() + "</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>"
          + "</ResponseMetadata></PublishResponse>").getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/xml");
      x.sendResponseHeaders(200, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    receiver.start();
    System.setProperty("aws.accessKeyId", "test-key");
    System.setProperty("aws.secretAccessKey", "test-secret");
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private String hook() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/secret-path";
  }

  private WebhookNotifier webhook(int attempts) {
    return new WebhookNotifier(SECRET, attempts, Duration.ofMillis(20), Duration.ofSeconds(2), Clock.systemUTC());
  }

  private void finished(String id, boolean ok, String params) {
    jobs.create(id, "silo_hourly", params);
    jobs.markProcessing(id);
    if (ok) {
      jobs.markCompleted(id, "reports/" + id + "/silo_data_report.xlsx", "https://example/" + id);
    } else {
      jobs.markFailed(id, "the report run ended (exit code 1)");
    }
  }

  private List<String> details(String id) {
    return jobs.events(id).stream().map(JobEvent::detail).filter(d -> d != null && d.contains("notif")).toList();
  }

  /** What a receiver computes, as docs/service.md tells it to: {@code sha256=} and the hex HMAC-SHA256 of the text. */
  private static String receiversSignature(String secret, String signedText) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(signedText.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theSignatureIsTheDocumentedHmacOfTimestampDotBody() {
    // Known answer, computed outside Java: printf '%s' '1764604800.{"event":"report.completed","job_id":"r-1"}'
    //   | openssl dgst -sha256 -hmac 'whsec-known-answer'
    assertEquals("sha256=5b210a29f4699058c8a0c1b4e31ccf8f635e22bee20f33df21922e63822e21b0",
        WebhookNotifier.signature("whsec-known-answer".getBytes(StandardCharsets.UTF_8), 1764604800L,
            "{\"event\":\"report.completed\",\"job_id\":\"r-1\"}"));
  }

  @Test
  void eachFinishedJobIsAnnouncedOnceWithAValidSignatureAndRecorded() throws Exception {
    finished("done", true, "{}");
    finished("broke", false, "{}");
    jobs.create("running", "silo_hourly", "{}");
    Notifications n = new Notifications(jobs, List.of(webhook(3)), List.of(hook()), Duration.ofDays(1));
    n.run(Instant.now());
    n.run(Instant.now()); // a second round (or a second worker) sends nothing again
    assertTrue(n.awaitSent(Duration.ofSeconds(10)));
    assertEquals(2, delivered.size(), "one POST per finished job, each correctly signed");
    JsonNode done = delivered.stream().filter(d -> d.path("job_id").asText().equals("done")).findFirst().orElseThrow();
    assertEquals("report.completed", done.path("event").asText());
    assertTrue(done.path("url").isMissingNode(), "no api.public-url: no link, never the stored presigned URL");
    assertEquals("the report is ready: GET /api/reports/done on the report service (with a token) gives its"
        + " downloadUrl, or find job done on the service's page", done.path("fetch").asText());
    JsonNode broke = delivered.stream().filter(d -> d.path("job_id").asText().equals("broke")).findFirst().orElseThrow();
    assertEquals("FAILED", broke.path("status").asText());
    assertEquals("the report run ended (exit code 1)", broke.path("error").asText());
    String shown = "webhook http://127.0.0.1:" + receiver.getAddress().getPort() + "/...";
    assertEquals(List.of("notified " + shown + " (COMPLETED)"), details("done"), "the secret path is never shown");
    assertEquals(JobStatus.COMPLETED, jobs.find("done").orElseThrow().status());
  }

  @Test
  void aFailingWebhookIsRetriedAndAnUnreachableOneIsRecordedWithoutChangingTheJob() throws Exception {
    finished("retried", true, "{}");
    failNext.set(2);
    Notifications n = new Notifications(jobs, List.of(webhook(3)), List.of(hook()), Duration.ofDays(1));
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(10)));
    assertEquals(3, calls.get(), "two 500s, then delivered");
    assertEquals(1, delivered.size());

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    finished("unreachable", true, "{\"notify\":[\"http://127.0.0.1:" + closedPort + "/hook\"]}");
    Notifications m = new Notifications(jobs, List.of(webhook(3)), List.of(hook()), Duration.ofDays(1));
    m.run(Instant.now());
    assertTrue(m.awaitSent(Duration.ofSeconds(20)));
    List<String> d = details("unreachable");
    assertEquals(1, d.size(), d.toString());
    assertTrue(d.get(0).startsWith("notification to webhook http://127.0.0.1:" + closedPort + "/... failed: gave up"
        + " after 3 attempt(s): ConnectException"), d.get(0));
    assertEquals(JobStatus.COMPLETED, jobs.find("unreachable").orElseThrow().status(), "the job is not changed");
    assertEquals(1, delivered.size(), "a job's own targets replace the default ones");
  }

  @Test
  void snsTopicsGetTheSameMessageThroughTheSdk() throws Exception {
    finished("to-sns", true, "{}");
    String topic = "arn:aws:sns:eu-west-1:123456789012:silo-reports";
    SnsNotifier sns = new SnsNotifier(null, "http://127.0.0.1:" + receiver.getAddress().getPort());
    Notifications n = new Notifications(jobs, List.of(sns), List.of(topic), Duration.ofDays(1));
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(20)));
    n.close();
    assertEquals(1, published.size());
    Map<String, String> p = published.get(0);
    assertEquals("Publish", p.get("Action"));
    assertEquals(topic, p.get("TopicArn"));
    assertEquals("silo-reports: report to-sns COMPLETED", p.get("Subject"));
    assertEquals("to-sns", JSON.readTree(p.get("Message")).path("job_id").asText());
    assertEquals(List.of("notified SNS " + topic + " (COMPLETED)"), details("to-sns"));
  }

  @Test
  void jobsFinishedLongBeforeAWorkerFirstSawThemAreNotAnnounced() throws Exception {
    finished("old", true, "{}");
    Notifications n = new Notifications(jobs, List.of(webhook(1)), List.of(hook()), Duration.ofHours(1));
    n.run(Instant.now().plus(Duration.ofHours(2)));
    assertTrue(n.awaitSent(Duration.ofSeconds(5)));
    assertEquals(0, calls.get());
  }

  @Test
  void aCompletedJobsNotificationCarriesTheServicesSignedLinkNeverTheStoredUrl() throws Exception {
    finished("linked", true, "{}");
    Instant now = Instant.parse("2026-12-07T00:00:00Z");
    io.siloreports.reportjob.ReadLinks links = new io.siloreports.reportjob.ReadLinks("https://reports.example",
        "k".getBytes(StandardCharsets.UTF_8), Duration.ofDays(7), Clock.fixed(now, java.time.ZoneOffset.UTC));
    Notifications n = new Notifications(jobs, List.of(webhook(1)), List.of(hook()), Duration.ofDays(1)).links(links);
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(10)));
    JsonNode note = delivered.get(0);
    assertEquals(links.link("linked").orElseThrow(), note.path("url").asText());
    assertTrue(note.path("url").asText().startsWith("https://reports.example/r/linked?expires="
        + now.plus(Duration.ofDays(7)).getEpochSecond() + "&signature="), note.toString());
    assertTrue(!note.toString().contains("https://example/linked"), "the URL stored at completion is not sent");
    assertTrue(note.path("fetch").isMissingNode());
  }

  @Test
  void withoutAPublicUrlTheFirstLinklessNotificationSaysLinksNeedItOnce() throws Exception {
    finished("no-link-1", true, "{}");
    finished("no-link-2", true, "{}");
    try (io.siloreports.testing.LogCapture log = io.siloreports.testing.LogCapture.of(Notifications.class)) {
      Notifications n = new Notifications(jobs, List.of(webhook(1)), List.of(hook()), Duration.ofDays(1))
          .links(new io.siloreports.reportjob.ReadLinks(null, new byte[1], Duration.ofDays(7), Clock.systemUTC()));
      assertEquals(0, log.linesWith("WARN", "set api.public-url").size(), "nothing said before a report is sent");
      n.run(Instant.now());
      assertTrue(n.awaitSent(Duration.ofSeconds(10)));
      assertEquals(1, log.linesWith("WARN", "set api.public-url").size(), log.lines().toString());
    }
  }
}
