package io.siloreports.worker.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloHour;
import io.siloreports.report.statistics.StatisticsSettings;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.testing.JobStores;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.math.BigDecimal;
import java.math.RoundingMode;
import io.siloreports.output.LocalReportOutput;
import io.siloreports.reportjob.ReadLinks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email notifications sent by the worker's {@link Notifications} duty through {@link EmailNotifier} to a real SMTP
 * server started here (GreenMail, on a free port, with a user and password it checks): the received MIME is
 * multipart/alternative with a text and an HTML part, both holding the figures of the job's stored summary (checked
 * against the readings the test made up, summed here), the link to the service (never the presigned URL stored at
 * completion), the report's file attached when asked for and no larger than the limit, and only the allowed
 * recipients.
 */
class EmailNotificationTest {
  private static final String USER = "reports";
  private static final String PASSWORD = "smtp-password-for-tests";
  private static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
  private static final ReadLinks LINKS = new ReadLinks("https://reports.example.org/", "a-signing-key-for-tests-only"
      .getBytes(StandardCharsets.UTF_8), Duration.ofDays(7), Clock.systemUTC());

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
      .withConfiguration(GreenMailConfiguration.aConfig().withUser("reports@example.com", USER, PASSWORD));

  @TempDir Path dir;
  private ReportJobStore jobs;
  private final EmailRecipients allowed = EmailRecipients.parse("example.com, ops.example.org");

  @BeforeEach
  void store() {
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  private EmailNotifier notifier(String password) {
    return new EmailNotifier("silo-reports@example.com", allowed, EmailNotifier.smtp(
        new EmailNotifier.Smtp("127.0.0.1", smtp.getSmtp().getPort(), false, USER, password, Duration.ofSeconds(5))));
  }

  /** Two silos over 24 hours: silo 1 level with one spike, silo 2 with two readings an hour. */
  private static List<List<BigDecimal>> readings(int silo, int hour) {
    if (silo == 1) {
      return List.of(List.of(BigDecimal.valueOf(hour == 12 ? 95 : 40 + hour % 3)));
    }
    return List.of(List.of(BigDecimal.valueOf(20 + hour * 0.5), BigDecimal.valueOf(21 + hour * 0.25)));
  }

  private static String summaryJson() {
    ReportStatistics stats = new ReportStatistics(FROM, FROM.plus(Duration.ofHours(24)), null,
        StatisticsSettings.DEFAULTS);
    for (int silo = 1; silo <= 2; silo++) {
      List<SiloHour> hours = new ArrayList<>();
      for (int h = 0; h < 24; h++) {
        List<BigDecimal> values = readings(silo, h).get(0);
        BigDecimal sum = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        hours.add(new SiloHour(FROM.plus(Duration.ofHours(h)), sum, values.size(),
            values.stream().min(BigDecimal::compareTo).get().setScale(2, RoundingMode.HALF_UP),
            values.stream().max(BigDecimal::compareTo).get().setScale(2, RoundingMode.HALF_UP), 0, false));
      }
      stats.add(silo, hours);
    }
    return stats.toJson();
  }

  private void completed(String id, String params) {
    jobs.create(id, "silo_hourly", params);
    jobs.markProcessing(id);
    jobs.markCompleted(id, "reports/" + id + "/silo_data_report.xlsx", "https://reports.example.com/d/" + id,
        summaryJson());
  }

  private void announce(EmailNotifier email) throws Exception {
    announce(email, null);
  }

  private void announce(EmailNotifier email, ReadLinks links) throws Exception {
    Notifications n = new Notifications(jobs, List.of(email), List.of(), Duration.ofHours(1)).links(links);
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(20)), "the emails were sent within 20 s");
  }

  @Test
  void aCompletedJobIsEmailedAsTextAndHtmlWithTheSummaryFiguresToItsRecipientsOnly() throws Exception {
    completed("r-mail-1", "{\"notify\":[\"mailto:ana@example.com\",\"mailto:ops@ops.example.org\"]}");
    announce(notifier(PASSWORD), LINKS);

    MimeMessage[] received = smtp.getReceivedMessages();
    assertEquals(2, received.length, "one message per recipient");
    List<String> to = new ArrayList<>();
    for (MimeMessage m : received) {
      for (Address a : m.getRecipients(Message.RecipientType.TO)) {
        to.add(a.toString());
      }
      assertEquals(1, m.getRecipients(Message.RecipientType.TO).length);
      assertEquals("silo-reports@example.com", m.getFrom()[0].toString());
      assertEquals("silo-reports: report r-mail-1 COMPLETED", m.getSubject());
    }
    assertEquals(List.of("ana@example.com", "ops@ops.example.org"), to.stream().sorted().toList());

    MimeMessage m = received[0];
    assertTrue(m.getContentType().startsWith("multipart/alternative"), m.getContentType());
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertEquals(2, parts.getCount());
    assertTrue(parts.getBodyPart(0).isMimeType("text/plain"), parts.getBodyPart(0).getContentType());
    assertTrue(parts.getBodyPart(1).isMimeType("text/html"), parts.getBodyPart(1).getContentType());
    String text = (String) parts.getBodyPart(0).getContent();
    String html = (String) parts.getBodyPart(1).getContent();
    // The link to the service that signs a download when clicked, never the presigned URL stored at completion.
    String link = LINKS.link("r-mail-1").orElseThrow();
    String linkPrefix = link.substring(0, link.indexOf("?expires="));
    assertTrue(text.contains("Download: " + linkPrefix + "?expires="), text);
    assertTrue(html.contains("href=\"" + linkPrefix + "?expires="), html);
    assertFalse(text.contains("reports.example.com/d/") || html.contains("reports.example.com/d/"),
        "the stored presigned URL, dead minutes later, is not sent");

    for (int silo = 1; silo <= 2; silo++) {
      // The figures computed here from the made-up readings, not by ReportStatistics.
      List<BigDecimal> all = new ArrayList<>();
      for (int h = 0; h < 24; h++) {
        all.addAll(readings(silo, h).get(0));
      }
      BigDecimal average = all.stream().reduce(BigDecimal.ZERO, BigDecimal::add)
          .divide(BigDecimal.valueOf(all.size()), 2, RoundingMode.HALF_UP);
      List<String> row = htmlRow(html, Integer.toString(silo));
      assertEquals(Integer.toString(all.size()), row.get(1), "silo " + silo + " readings: " + row);
      assertEquals(0, average.compareTo(new BigDecimal(row.get(4))), "silo " + silo + " average: " + row);
      assertEquals(0, all.stream().min(BigDecimal::compareTo).get().compareTo(new BigDecimal(row.get(5))));
      assertEquals(0, all.stream().max(BigDecimal::compareTo).get().compareTo(new BigDecimal(row.get(6))));
      assertTrue(text.contains(String.join(" | ", row)), "the text part has the same row: " + row + "\n" + text);
    }
    List<String> allRow = htmlRow(html, "All silos");
    assertEquals("72", allRow.get(1), "24 + 48 readings");
    assertTrue(Integer.parseInt(htmlRow(html, "1").get(7)) >= 1, "silo 1's spike is counted as an anomaly");
    assertTrue(html.contains("Silo 1: "), "the anomalies list silo 1");
    assertEquals(2, jobs.events("r-mail-1").stream().map(JobEvent::detail)
        .filter(d -> d != null && d.startsWith("notified email to a recipient at ")).count());
    assertEquals(JobStatus.COMPLETED, jobs.find("r-mail-1").orElseThrow().status());
  }

  @Test
  void aReportAskedForAsAnAttachmentIsAttachedByteForByteAndALargerOneIsLinkedWithAReason() throws Exception {
    Path reports = dir.resolve("reports-out");
    LocalReportOutput output = new LocalReportOutput(reports);
    byte[] pdf = new byte[150_000];
    new java.util.Random(7).nextBytes(pdf);
    System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
    storeReport(output, "r-mail-4", "silo_data_report.pdf", pdf);
    storeReport(output, "r-mail-5", "silo_data_report.pdf", new byte[300_000]);
    storeReport(output, "r-mail-6", "silo_data_report.pdf", pdf);
    completedAt("r-mail-4", "{\"format\":\"pdf\",\"notify\":[\"mailto:ana@example.com\"],\"attach\":true}",
        "reports/r-mail-4/silo_data_report.pdf");
    completedAt("r-mail-5", "{\"format\":\"pdf\",\"notify\":[\"mailto:bo@example.com\"],\"attach\":true}",
        "reports/r-mail-5/silo_data_report.pdf");
    completedAt("r-mail-6", "{\"format\":\"pdf\",\"notify\":[\"mailto:cy@example.com\"]}",
        "reports/r-mail-6/silo_data_report.pdf");
    announce(notifier(PASSWORD).attachments(output, 200_000), LINKS);

    java.util.Map<String, MimeMessage> byRecipient = new java.util.HashMap<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      byRecipient.put(m.getRecipients(Message.RecipientType.TO)[0].toString(), m);
    }
    assertEquals(3, byRecipient.size(), byRecipient.keySet().toString());

    MimeMessage attached = byRecipient.get("ana@example.com");
    assertTrue(attached.getContentType().startsWith("multipart/mixed"), attached.getContentType());
    MimeMultipart mixed = (MimeMultipart) attached.getContent();
    assertEquals(2, mixed.getCount());
    assertTrue(mixed.getBodyPart(0).isMimeType("multipart/alternative"), mixed.getBodyPart(0).getContentType());
    var file = mixed.getBodyPart(1);
    assertEquals("attachment", file.getDisposition());
    assertEquals("silo_data_report.pdf", file.getFileName());
    assertTrue(file.isMimeType("application/pdf"), file.getContentType());
    assertArrayEquals(pdf, file.getInputStream().readAllBytes(), "the attachment is the stored report");
    String text = (String) ((MimeMultipart) mixed.getBodyPart(0).getContent()).getBodyPart(0).getContent();
    assertTrue(text.contains("The report is attached: silo_data_report.pdf (146 KB)."), text);
    assertTrue(text.contains("Download: "), "the link is there too: " + text);

    MimeMessage tooLarge = byRecipient.get("bo@example.com");
    assertTrue(tooLarge.getContentType().startsWith("multipart/alternative"), "no attachment past the limit");
    String tooLargeText = (String) ((MimeMultipart) tooLarge.getContent()).getBodyPart(0).getContent();
    assertTrue(tooLargeText.contains("larger than the 195 KB an email may carry here"), tooLargeText);
    assertTrue(tooLargeText.contains("Download: "), tooLargeText);

    assertTrue(byRecipient.get("cy@example.com").getContentType().startsWith("multipart/alternative"),
        "not asked for: the link only");

    // A report whose file cannot be read now: the email still goes, with the link and the reason.
    smtp.purgeEmailFromAllMailboxes();
    completedAt("r-mail-7", "{\"format\":\"pdf\",\"notify\":[\"mailto:di@example.com\"],\"attach\":true}",
        "reports/r-mail-7/silo_data_report.pdf");
    announce(notifier(PASSWORD).attachments(output, 200_000), LINKS);
    MimeMessage unread = smtp.getReceivedMessages()[0];
    assertTrue(unread.getContentType().startsWith("multipart/alternative"), unread.getContentType());
    String unreadText = (String) ((MimeMultipart) unread.getContent()).getBodyPart(0).getContent();
    assertTrue(unreadText.contains("The report could not be attached") && unreadText.contains("Download: "),
        unreadText);
  }

  private static void storeReport(LocalReportOutput output, String id, String name, byte[] bytes) throws Exception {
    Path tmp = Files.createTempFile("report", name);
    Files.write(tmp, bytes);
    output.store(tmp, "reports/" + id + "/" + name);
  }

  private void completedAt(String id, String params, String key) {
    jobs.create(id, "silo_hourly", params);
    jobs.markProcessing(id);
    jobs.markCompleted(id, key, "file:///server/path/" + key, summaryJson());
  }

  @Test
  void aStoredRecipientOutsideTheAllowedDomainsGetsNothingAndTheRefusalIsRecorded() throws Exception {
    completed("r-mail-2", "{\"notify\":[\"mailto:someone@elsewhere.net\",\"mailto:ana@example.com\"]}");
    announce(notifier(PASSWORD));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertEquals(1, received.length, "only the allowed recipient");
    assertEquals("ana@example.com", received[0].getRecipients(Message.RecipientType.TO)[0].toString());
    List<String> notes = jobs.events("r-mail-2").stream().map(JobEvent::detail).toList();
    assertTrue(notes.stream().anyMatch(d -> d != null && d.contains("failed")
        && d.contains("the domain 'elsewhere.net' is not allowed")), notes.toString());
    assertFalse(notes.toString().contains("someone@"), "an address is never written whole: " + notes);
  }

  @Test
  void aWrongPasswordIsRecordedWithoutThePasswordAndTheJobStaysCompleted() throws Exception {
    completed("r-mail-3", "{\"notify\":[\"mailto:ana@example.com\"]}");
    announce(notifier("not-the-password"));

    assertEquals(0, smtp.getReceivedMessages().length);
    List<String> notes = jobs.events("r-mail-3").stream().map(JobEvent::detail).toList();
    assertTrue(notes.stream().anyMatch(d -> d != null && d.startsWith("notification to email to a recipient at"
        + " example.com failed")), notes.toString());
    assertFalse(notes.toString().contains("not-the-password"), notes.toString());
    assertEquals(JobStatus.COMPLETED, jobs.find("r-mail-3").orElseThrow().status());
  }

  /** The cells of the HTML table row whose first cell is {@code first}. */
  private static List<String> htmlRow(String html, String first) {
    Matcher rows = Pattern.compile("<tr>(.*?)</tr>").matcher(html);
    while (rows.find()) {
      List<String> cells = new ArrayList<>();
      Matcher c = Pattern.compile("<td>(.*?)</td>").matcher(rows.group(1));
      while (c.find()) {
        cells.add(c.group(1));
      }
      if (!cells.isEmpty() && cells.get(0).equals(first)) {
        return cells;
      }
    }
    throw new AssertionError("no row " + first + " in " + html);
  }
}
