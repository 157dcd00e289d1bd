package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.output.LocalDownloadLinks;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.JobStores;
import io.siloreports.worker.notify.EmailNotifier;
import io.siloreports.worker.notify.Notifications;
import jakarta.mail.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a report request may have its result emailed to, through the real HTTP server and a real SMTP server
 * (GreenMail): {@code "notify": {"email": [...]}} in {@code POST /api/reports} is kept with the job and mailed when it
 * completes; an address outside {@code notify.email.allowed-domains} is a 400 naming its domain, no job is created
 * and nothing is sent; a request cannot name any other kind of target.
 */
class EmailRecipientsApiTest {
  private static final String TOKEN = "alice-token-1-for-tests-0123456789";

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @TempDir Path dir;

  private ApiServer server(ReportJobStore store) throws Exception {
    Clock clock = Clock.systemUTC();
    ApiServer s = ApiServer.builder().listen("127.0.0.1", 0, 4)
        .limits(new ConnectionLimits(Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(75), 1000))
        .tokens("alice:" + TOKEN)
        .emailRecipients(EmailRecipients.parse("example.com"))
        .jobs(new ReportJobLifecycle(store), new LocalDownloadLinks(dir.resolve("output"), () -> "http://x",
            "k".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1), clock))
        .aggregates(new io.siloreports.store.ProgressStore() {
          @Override
          public java.util.Optional<io.siloreports.model.AggregationProgress> last(io.siloreports.model.Pipeline p) {
            return java.util.Optional.empty();
          }

          @Override
          public String describe() {
            return "none";
          }
        }, null, Duration.ofMinutes(15))
        .page(new ApiServer.PageSettings(Duration.ofSeconds(5), Duration.ofMinutes(1), 31))
        .clock(clock).build();
    s.start();
    return s;
  }

  @Test
  void anAllowedRecipientIsMailedAndAnyOtherDomainIsA400WithNothingCreatedOrSent() throws Exception {
    try (ReportJobStore store = JobStores.sqlite(dir, Clock.systemUTC(), "api"); ApiServer s = server(store)) {
      ApiClient api = new ApiClient(s.url(), TOKEN);

      ApiClient.Answer refused = api.post("/api/reports",
          "{\"notify\": {\"email\": [\"ana@example.com\", \"mallory@Evil.example.net\"]}}");
      assertEquals(400, refused.status(), refused.body());
      assertTrue(refused.json().get("error").asText().contains("the domain 'evil.example.net' is not allowed"),
          refused.body());
      assertEquals(0, store.count(null), "no job for a refused request");

      for (String body : List.of("{\"notify\": {\"email\": [\"ana@example.com.evil.net\"]}}",
          "{\"notify\": {\"email\": [\"Ana <ana@example.com>\"]}}",
          "{\"notify\": {\"email\": [\"ana@example.com\\r\\nBcc: x@evil.net\"]}}",
          "{\"notify\": {\"webhook\": \"https://evil.net/\"}}",
          "{\"notify\": [\"https://evil.net/hook\"]}",
          "{\"notify\": {\"email\": \"ana@example.com\"}}",
          "{\"notify\": {\"attach\": true}}",
          "{\"notify\": {\"email\": [\"ana@example.com\"], \"attach\": \"yes\"}}")) {
        ApiClient.Answer a = api.post("/api/reports", body);
        assertEquals(400, a.status(), body + " -> " + a.body());
      }
      assertEquals(0, store.count(null), "no job for any refused request");

      ApiClient.Answer attaching = api.post("/api/reports",
          "{\"format\": \"pdf\", \"notify\": {\"email\": [\"ana@example.com\"], \"attach\": true}}");
      assertEquals(202, attaching.status(), attaching.body());
      assertTrue(ReportRequest.fromJson(store.find(attaching.json().get("jobId").asText()).orElseThrow().params())
          .attachReport(), "notify.attach is kept with the job");
      store.markProcessing(attaching.json().get("jobId").asText());
      store.markFailed(attaching.json().get("jobId").asText(), "not this test's job");

      ApiClient.Answer accepted = api.post("/api/reports", "{\"notify\": {\"email\": [\"ana@example.com\"]}}");
      assertEquals(202, accepted.status(), accepted.body());
      String id = accepted.json().get("jobId").asText();
      assertEquals(List.of("mailto:ana@example.com"),
          ReportRequest.fromJson(store.find(id).orElseThrow().params()).notifyTargets(), "kept with the job");

      store.markProcessing(id);
      store.markCompleted(id, "reports/" + id + "/silo_data_report.xlsx", "https://reports.example.com/d/" + id);
      Notifications n = new Notifications(store, List.of(new EmailNotifier("silo-reports@example.com",
          EmailRecipients.parse("example.com"), EmailNotifier.smtp(new EmailNotifier.Smtp("127.0.0.1",
          smtp.getSmtp().getPort(), false, null, null, Duration.ofSeconds(5))))), List.of(), Duration.ofHours(1));
      n.run(Instant.now());
      assertTrue(n.awaitSent(Duration.ofSeconds(20)));
      jakarta.mail.internet.MimeMessage[] received = smtp.getReceivedMessages();
      received = java.util.Arrays.stream(received).filter(m -> {
        try {
          return m.getSubject().contains(id);
        } catch (jakarta.mail.MessagingException e) {
          throw new IllegalStateException(e);
        }
      }).toArray(jakarta.mail.internet.MimeMessage[]::new);
      assertEquals(1, received.length, "one message, to the one recipient the request named");
      assertEquals("ana@example.com", received[0].getRecipients(Message.RecipientType.TO)[0].toString());
      assertEquals(1, received[0].getAllRecipients().length);
    }
  }
}
