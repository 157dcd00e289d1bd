package io.siloreports.worker.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.testing.JobStores;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email notifications through Amazon SES's v2 API with the real AWS SDK client, against {@link SesStandIn} (which
 * follows the SES API v2 Reference's SendEmail page): the request is signed, carries the MIME message as
 * {@code Content.Raw} with the one allowed recipient, and a refusal by SES is recorded in the job's history.
 */
class SesEmailTest {
  @TempDir Path dir;
  private SesStandIn ses;
  private ReportJobStore jobs;

  @BeforeEach
  void start() throws Exception {
    ses = new SesStandIn();
    System.setProperty("aws.accessKeyId", "AKIDTESTKEY");
    System.setProperty("aws.secretAccessKey", "test-secret");
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    ses.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private void announce() throws Exception {
    EmailNotifier email = new EmailNotifier("silo-reports@example.com", EmailRecipients.parse("example.com"),
        new SesEmailTransport("eu-west-1", ses.endpoint()));
    Notifications n = new Notifications(jobs, List.of(email), List.of(), Duration.ofHours(1));
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(30)));
    email.close();
  }

  private void completed(String id, String params) {
    jobs.create(id, "silo_hourly", params);
    jobs.markProcessing(id);
    jobs.markCompleted(id, "reports/" + id + "/silo_data_report.xlsx", "https://reports.example.com/d/" + id);
  }

  @Test
  void aCompletedJobGoesToSesAsASignedRawMimeMessageToTheAllowedRecipientOnly() throws Exception {
    completed("r-ses-1", "{\"notify\":[\"mailto:ana@example.com\",\"mailto:eve@elsewhere.net\"]}");
    announce();

    assertEquals(1, ses.sent.size(), "only the allowed recipient");
    SesStandIn.Sent sent = ses.sent.get(0);
    assertEquals("silo-reports@example.com", sent.request().get("FromEmailAddress").asText());
    assertEquals("[\"ana@example.com\"]", sent.request().path("Destination").path("ToAddresses").toString());
    MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(sent.raw()));
    assertEquals("silo-reports: report r-ses-1 COMPLETED", m.getSubject());
    assertTrue(m.getContentType().startsWith("multipart/alternative"), m.getContentType());
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertTrue(parts.getBodyPart(0).isMimeType("text/plain"));
    assertTrue(parts.getBodyPart(1).isMimeType("text/html"));
    String text = (String) parts.getBodyPart(0).getContent();
    assertTrue(text.contains("GET /api/reports/r-ses-1"), "without api.public-url, how to fetch it: " + text);
    assertFalse(text.contains("https://reports.example.com/d/r-ses-1"), "never the presigned URL stored at completion");
    List<String> notes = jobs.events("r-ses-1").stream().map(JobEvent::detail).toList();
    assertTrue(notes.contains("notified email to a recipient at example.com (COMPLETED)"), notes.toString());
    assertTrue(notes.stream().anyMatch(d -> d != null && d.contains("'elsewhere.net' is not allowed")), notes.toString());
  }

  @Test
  void aMessageSesRejectsIsRecordedAndTheJobStaysCompleted() throws Exception {
    ses.reject = true;
    completed("r-ses-2", "{\"notify\":[\"mailto:ana@example.com\"]}");
    announce();

    assertEquals(0, ses.sent.size());
    List<String> notes = jobs.events("r-ses-2").stream().map(JobEvent::detail).toList();
    assertTrue(notes.stream().anyMatch(d -> d != null && d.startsWith("notification to email to a recipient at"
        + " example.com failed") && d.contains("Email address is not verified")), notes.toString());
    assertEquals(JobStatus.COMPLETED, jobs.find("r-ses-2").orElseThrow().status());
  }

  @Test
  void theStandInRefusesWhatSesRefuses() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String sigv4 = "AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/20261207/eu-west-1/ses/aws4_request,"
        + " SignedHeaders=host;x-amz-date, Signature=" + "a".repeat(64);
    HttpRequest.Builder ok = HttpRequest.newBuilder(URI.create(ses.endpoint() + SesStandIn.PATH))
        .header("Content-Type", "application/json");
    String raw = "{\"Content\":{\"Raw\":{\"Data\":\"RnJvbTogYUBleGFtcGxlLmNvbQ0KDQpoaQ==\"}}}";
    assertEquals(403, http.send(ok.copy().POST(HttpRequest.BodyPublishers.ofString(raw)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "unsigned");
    HttpRequest.Builder signed = ok.copy().header("Authorization", sigv4).header("X-Amz-Date", "20261207T000000Z");
    assertEquals(403, http.send(ok.copy().header("Authorization", sigv4.replace("/ses/", "/sns/"))
        .header("X-Amz-Date", "20261207T000000Z").POST(HttpRequest.BodyPublishers.ofString(raw)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "signed for another service");
    HttpResponse<String> noContent = http.send(signed.copy().POST(HttpRequest.BodyPublishers.ofString(
        "{\"FromEmailAddress\":\"a@example.com\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, noContent.statusCode());
    assertEquals("BadRequestException", noContent.headers().firstValue("x-amzn-ErrorType").orElseThrow());
    assertEquals(400, http.send(signed.copy().POST(HttpRequest.BodyPublishers.ofString(
        "{\"Content\":{\"Raw\":{\"Data\":\"eA==\"},\"Simple\":{}}}")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "two kinds of content");
    assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(ses.endpoint() + SesStandIn.PATH))
        .header("Authorization", sigv4).header("X-Amz-Date", "20261207T000000Z").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(raw)).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
        "not JSON");
    assertEquals(200, http.send(signed.copy().POST(HttpRequest.BodyPublishers.ofString(raw)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "the well-formed request passes");
  }
}
