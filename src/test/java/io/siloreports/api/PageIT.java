package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.Chromium;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.WorkbookReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser (Debian's Chromium and chromedriver): give the token, press Generate report, watch the
 * status move while the button stays disabled, follow the download link, and open the downloaded file as a
 * workbook whose cells equal a plain-Java computation; the browser reports no Content-Security-Policy violation. The
 * report runs for real, in its own JVM, through the worker's local submitter, on the embedded default. Who gets the
 * result: addresses typed in "Email the report to" become the job's {@code mailto:} targets and each gets the mail
 * (a real SMTP server, GreenMail), an address in a domain not allowed is the API's 400 on the page and no job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PageIT {
  private static final Instant DAY = TestData.daysAgo(3); // streamed under the real clock

  private static final String TOKEN = "page-token-123-for-tests-012345678";

  @TempDir static Path dir;
  private ReportService server;
  private WebDriver browser;
  private List<Oracle.Reading> readings;
  private GreenMail smtp;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "viewer:page-token-123-for-tests-012345678");
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    m.put("api.port", Integer.toString(port));
    m.put("api.public-url", "http://127.0.0.1:" + port); // so finished jobs carry a link to share
    m.put("api.page.poll-interval", "1s");
    m.put("stream.pipelines", "silo-readings");
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    m.put("notify.email.allowed-domains", "example.com");
    m.put("notify.email.from", "silo-reports@example.com");
    m.put("notify.email.smtp.host", "127.0.0.1");
    m.put("notify.email.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
    m.put("notify.email.smtp.starttls", "false");
    readings = TestData.readings(new Random(8)).silos(3).hours(DAY, 0, 12).every(300, 600).build();
    InputFiles.write(dir.resolve("input/silo-readings"), "readings.jsonl", TestData.json(readings));
    Wiring.stream(StreamConfig.from(Settings.of(m)), LocalSpark.get(), Clock.systemUTC()).run();
    server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();

    Files.createDirectories(dir.resolve("downloads"));
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", dir.resolve("downloads").toString());
    prefs.put("download.prompt_for_download", false);
    browser = Chromium.start(dir.resolve("chrome-profile"), prefs);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  private WebElement el(String id) {
    return browser.findElement(By.id(id));
  }

  private WebDriverWait waitUpTo(Duration d) {
    return new WebDriverWait(browser, d, Duration.ofMillis(200));
  }

  /** A date input's value ({@code yyyy-MM-dd}) for a UTC day. */
  private static String date(Instant day) {
    return day.toString().substring(0, 10);
  }

  private void setDates(String from, String to) {
    ((JavascriptExecutor) browser).executeScript(
        "document.getElementById('from').value = arguments[0]; document.getElementById('to').value = arguments[1];",
        from, to);
  }

  @Test
  void generateWatchDownloadAndOpenTheWorkbook() throws Exception {
    browser.get(server.url() + "/");
    assertTrue(el("generate").isEnabled());
    String from = el("from").getAttribute("value");
    String to = el("to").getAttribute("value");
    assertEquals(31, java.time.LocalDate.parse(from).until(java.time.LocalDate.parse(to), ChronoUnit.DAYS),
        "the default range is the last 31 days");
    assertTrue(el("all-silos").isSelected(), "all silos by default");

    el("token").sendKeys("page-token-123-for-tests-012345678");
    el("save-token").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> b.findElements(By.cssSelector("input.silo")).size() == 3);
    Chromium.recordSent(browser);

    // A bad range is refused by the API with its reason, and the button comes back.
    setDates(date(DAY.plus(1, ChronoUnit.DAYS)), date(DAY));
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("error").getText().contains("from must be before to"));
    assertTrue(el("generate").isEnabled());

    setDates(date(DAY), date(DAY.plus(1, ChronoUnit.DAYS)));
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("status").getText().startsWith("Report r-"));
    assertFalse(el("generate").isEnabled(), "disabled while its job runs");
    String jobId = el("status").getText().split(" ")[1].replace(":", "");
    waitUpTo(Duration.ofMinutes(4)).until(b -> el("status").getText().endsWith("COMPLETED")
        || el("status").getText().endsWith("FAILED"));
    assertEquals("Report " + jobId + ": COMPLETED", el("status").getText(), el("error").getText());
    assertEquals("", el("emailed").getText(), "no address typed, no one to email");
    waitUpTo(Duration.ofSeconds(5)).until(b -> el("generate").isEnabled());
    assertTrue(el("download").isDisplayed());
    waitUpTo(Duration.ofSeconds(10)).until(b -> b.findElement(By.id("jobs")).getText().contains(jobId));
    assertTrue(el("jobs").getText().contains("COMPLETED"));
    assertFindingsEqualTheApi(jobId);
    assertHealthEqualsTheApi();
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1560)); // the findings' lists too
    Files.write(Path.of("target/page.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

    el("download").click();
    Path file = waitUpTo(Duration.ofSeconds(30)).until(b -> downloaded(".xlsx").orElse(null));
    WorkbookReader.Workbook wb = WorkbookReader.read(file);
    assertEquals(List.of("Summary", "Silo 1", "Silo 2", "Silo 3", "Anomalies", "Gaps"), wb.sheetNames());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(readings), wb.rows());

    // The same as CSV files in a zip.
    new org.openqa.selenium.support.ui.Select(el("format")).selectByValue("csv");
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> !el("status").getText().contains(jobId)
        && el("status").getText().startsWith("Report r-"));
    waitUpTo(Duration.ofMinutes(4)).until(b -> el("status").getText().endsWith("COMPLETED")
        || el("status").getText().endsWith("FAILED"));
    assertTrue(el("status").getText().endsWith("COMPLETED"), el("error").getText());
    waitUpTo(Duration.ofSeconds(5)).until(b -> el("download").isDisplayed());
    el("download").click();
    Path zip = waitUpTo(Duration.ofSeconds(30)).until(b -> downloaded(".zip").orElse(null));
    List<String> entries = new java.util.ArrayList<>();
    try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
      for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
        entries.add(e.getName());
      }
    }
    assertEquals(List.of("silo-1.csv", "silo-2.csv", "silo-3.csv", "summary.csv", "anomalies.csv", "gaps.csv"), entries);
    List<String> sent = Chromium.sentBodies(browser, "POST", "/api/reports");
    assertEquals(3, sent.size(), "the bad range, the workbook, the CSV files");
    for (String body : sent) {
      assertFalse(PageFindings.JSON.readTree(body).has("notify"), "no address typed, no notify: " + body);
    }
    assertEquals(List.of(), Chromium.cspViolations(browser), "the page runs under its Content-Security-Policy");
  }

  /**
   * Recipients typed in the form: a domain not allowed is the API's 400 in the error area and no job; a ticked attach
   * box with no address is the page's own error and no request; the addresses typed (commas and spaces between them)
   * are the job's {@code mailto:} targets, the panel says how many, each gets one mail once the report completes, and
   * the report, a PDF, downloads as {@code application/pdf} starting with {@code %PDF}.
   */
  @Test
  void emailRecipientsAndAPdfReportFromThePage() throws Exception {
    browser.get(server.url() + "/");
    el("token").sendKeys(TOKEN);
    el("save-token").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> b.findElements(By.cssSelector("input.silo")).size() == 3);
    setDates(date(DAY), date(DAY.plus(1, ChronoUnit.DAYS)));
    new org.openqa.selenium.support.ui.Select(el("format")).selectByValue("pdf");
    long jobsBefore = get("/api/reports?limit=1").get("total").asLong();

    el("email-to").sendKeys("ana@example.com, mallory@Evil.example.net");
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("error").getText().contains("evil.example.net"));
    assertTrue(el("error").getText().contains("the domain 'evil.example.net' is not allowed"), el("error").getText());
    assertTrue(el("generate").isEnabled());
    assertEquals(jobsBefore, get("/api/reports?limit=1").get("total").asLong(), "no job for a refused request");

    el("email-to").clear();
    el("email-attach").click();
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("error").getText().contains("Give an address"));
    assertEquals(jobsBefore, get("/api/reports?limit=1").get("total").asLong(), "nothing asked without an address");
    el("email-attach").click(); // unticked again

    Chromium.recordSent(browser);
    List<String> typed = List.of("ana@example.com", "bo@example.com", "ops.night@example.com");
    el("email-to").sendKeys(" " + typed.get(0) + ",  " + typed.get(1) + " " + typed.get(2) + ", ");
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("status").getText().startsWith("Report r-"));
    String jobId = el("status").getText().split(" ")[1].replace(":", "");
    assertEquals("Will be emailed to 3 recipients.", el("emailed").getText());
    JsonNode job = get("/api/reports/" + jobId);
    List<String> targets = new java.util.ArrayList<>();
    job.get("params").get("notify").forEach(t -> targets.add(t.asText()));
    assertEquals(typed.stream().map(a -> "mailto:" + a).toList(), targets, "exactly the addresses typed");
    assertEquals("pdf", job.get("params").get("format").asText());

    waitUpTo(Duration.ofMinutes(4)).until(b -> el("status").getText().endsWith("COMPLETED")
        || el("status").getText().endsWith("FAILED"));
    assertEquals("Report " + jobId + ": COMPLETED", el("status").getText(), el("error").getText());
    assertEquals("Will be emailed to 3 recipients.", el("emailed").getText(), "still said once it completed");
    waitUpTo(Duration.ofSeconds(5)).until(b -> el("download").isDisplayed());
    HttpResponse<byte[]> pdf = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(el("download").getAttribute("href"))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, pdf.statusCode());
    assertEquals("application/pdf", pdf.headers().firstValue("Content-Type").orElse(""));
    assertEquals("%PDF", new String(pdf.body(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    // The link to share: the API's shareUrl (the service's /r/<jobId>, signed for days), which downloads the same file.
    assertTrue(el("share").isDisplayed());
    String share = el("share").getAttribute("href");
    String apiShare = get("/api/reports/" + jobId).get("shareUrl").asText();
    assertEquals(apiShare.substring(0, apiShare.indexOf("?expires=")), share.substring(0, share.indexOf("?expires=")));
    HttpResponse<byte[]> shared = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build().send(
        HttpRequest.newBuilder(URI.create(share)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, shared.statusCode());
    org.junit.jupiter.api.Assertions.assertArrayEquals(pdf.body(), shared.body(), "the shared link downloads the report");

    assertTrue(smtp.waitForIncomingEmail(30_000, typed.size()), "a mail for each recipient");
    List<String> mailedTo = new java.util.ArrayList<>();
    for (MimeMessage mail : smtp.getReceivedMessages()) {
      assertTrue(mail.getSubject().contains(jobId), mail.getSubject());
      for (jakarta.mail.Address a : mail.getRecipients(Message.RecipientType.TO)) {
        mailedTo.add(a.toString());
      }
    }
    assertEquals(typed, mailedTo.stream().sorted().toList());

    // The attach box ticked: the page sends notify.attach; with a refused domain no job is made.
    waitUpTo(Duration.ofSeconds(5)).until(b -> el("generate").isEnabled());
    long jobsNow = get("/api/reports?limit=1").get("total").asLong();
    el("email-to").clear();
    el("email-to").sendKeys("ana@example.com mallory@evil.example.net");
    el("email-attach").click();
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("error").getText().startsWith("The report could not be requested"));
    assertEquals(jobsNow, get("/api/reports?limit=1").get("total").asLong());
    List<String> sent = Chromium.sentBodies(browser, "POST", "/api/reports");
    assertEquals(2, sent.size(), "the three recipients, then the attach box: " + sent);
    assertFalse(PageFindings.JSON.readTree(sent.get(0)).get("notify").has("attach"), "unticked: " + sent.get(0));
    JsonNode ticked = PageFindings.JSON.readTree(sent.get(1)).get("notify");
    assertEquals("[\"ana@example.com\",\"mallory@evil.example.net\"]", ticked.get("email").toString());
    assertTrue(ticked.path("attach").asBoolean(false), "ticked: " + sent.get(1));

    // Ticked with an allowed address: the job keeps notify.attach and the mail carries the PDF it made.
    el("email-to").clear();
    el("email-to").sendKeys("cy@example.com");
    el("generate").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("status").getText().startsWith("Report r-")
        && !el("status").getText().contains(jobId));
    String attachedId = el("status").getText().split(" ")[1].replace(":", "");
    assertTrue(get("/api/reports/" + attachedId).get("params").path("attach").asBoolean(false), "kept with the job");
    waitUpTo(Duration.ofMinutes(4)).until(b -> el("status").getText().endsWith("COMPLETED")
        || el("status").getText().endsWith("FAILED"));
    assertTrue(smtp.waitForIncomingEmail(30_000, typed.size() + 1), "a mail to cy@example.com");
    MimeMessage withFile = java.util.Arrays.stream(smtp.getReceivedMessages())
        .filter(m -> m.toString() != null && subject(m).contains(attachedId)).findFirst().orElseThrow();
    jakarta.mail.internet.MimeMultipart mixed = (jakarta.mail.internet.MimeMultipart) withFile.getContent();
    assertEquals("silo_data_report.pdf", mixed.getBodyPart(1).getFileName());
    assertEquals("%PDF", new String(mixed.getBodyPart(1).getInputStream().readNBytes(4),
        java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(List.of(), Chromium.cspViolations(browser), "the page runs under its Content-Security-Policy");
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    return PageFindings.JSON.readTree(r.body());
  }

  /**
   * The finished job's findings on the page equal the API's JSON for it, figure by figure; each silo's chart has one
   * point per hour with data, and those hours and averages equal a plain computation over the readings.
   */
  private void assertFindingsEqualTheApi(String jobId) throws Exception {
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("findings").isDisplayed());
    JsonNode summary = get("/api/reports/" + jobId).get("summary");
    JsonNode silos = summary.get("silos");
    Map<Integer, List<Oracle.Hour>> oracle = new java.util.TreeMap<>();
    Oracle.hourly(readings).forEach((k, h) -> oracle.computeIfAbsent(k.siloId(), s -> new java.util.ArrayList<>()).add(h));
    assertEquals(3, silos.size());
    List<WebElement> rows = browser.findElements(By.cssSelector("#summary-rows tr"));
    assertEquals(silos.size(), rows.size());
    assertEquals(silos.size(), browser.findElements(By.cssSelector("#summary-rows svg")).size(), "a chart per silo");
    for (int i = 0; i < silos.size(); i++) {
      JsonNode s = silos.get(i);
      int silo = s.get("silo").asInt();
      PageFindings.assertRow(s, PageFindings.cells(rows.get(i)), "Silo " + silo);
      List<Oracle.Hour> hours = oracle.get(silo);
      assertEquals(hours.size(), s.get("hoursWithData").asLong());
      List<BigDecimal> averages = new java.util.ArrayList<>();
      s.get("hourlyAverages").forEach(v -> {
        if (!v.isNull()) {
          averages.add(v.decimalValue());
        }
      });
      assertEquals(hours.size(), averages.size(), "silo " + silo + ": one average per hour with data");
      for (int h = 0; h < hours.size(); h++) {
        assertEquals(0, hours.get(h).avg2().compareTo(averages.get(h)), "silo " + silo + " hour " + h);
      }
      assertEquals(hours.size(), PageFindings.pathPoints(rows.get(i)), "silo " + silo + ": one path point per hour");
    }
    PageFindings.assertRow(summary.get("allSilos"), PageFindings.cells(el("all-silos-row")), "All silos");
    int anomalies = summary.get("anomalyList").size();
    int listed = browser.findElements(By.cssSelector("#anomalies li")).size();
    assertEquals(Math.max(1, anomalies), listed, "one line per anomaly, or 'No anomaly.'");
    assertEquals(Math.max(1, summary.get("gapList").size()), browser.findElements(By.cssSelector("#gaps li")).size());
    assertFalse(el("show-all-silos").isDisplayed(), "3 silos need no 'show all'");
  }

  /** Each pipeline of /api/health/detail has a row on the page with its status and commit age. */
  private void assertHealthEqualsTheApi() throws Exception {
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("health").isDisplayed());
    JsonNode health = get("/api/health/detail");
    for (JsonNode p : health.get("pipelines")) {
      WebElement row = browser.findElement(By.cssSelector("#health-rows tr[data-pipeline='" + p.get("pipeline").asText()
          + "']"));
      List<String> shown = PageFindings.cells(row);
      assertEquals(p.get("pipeline").asText(), shown.get(0));
      assertEquals(p.get("ok").asBoolean() ? "ok" : p.get("problem").asText(), shown.get(1));
      if (p.has("commitAgeSeconds")) {
        long pageSeconds = Long.parseLong(row.findElements(By.tagName("td")).get(2).getAttribute("data-seconds"));
        assertTrue(Math.abs(pageSeconds - p.get("commitAgeSeconds").asLong()) <= 60, "the page's commit age "
            + pageSeconds + " s, the API's " + p.get("commitAgeSeconds") + " s (the page reads it every 30 s)");
        assertTrue(shown.get(2).endsWith(" ago"), shown.get(2));
      }
    }
    assertTrue(health.get("pipelines").size() > 0);
  }

  private Optional<Path> downloaded(String extension) {
    try (Stream<Path> files = Files.list(dir.resolve("downloads"))) {
      return files.filter(f -> f.toString().endsWith(extension)).findFirst();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }
}
