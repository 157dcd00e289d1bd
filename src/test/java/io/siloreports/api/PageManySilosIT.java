package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.report.statistics.ReportStatistics;
import io.siloreports.report.statistics.SiloHour;
import io.siloreports.report.statistics.StatisticsSettings;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.store.ProgressStore;
import io.siloreports.testing.Chromium;
import io.siloreports.testing.JobStores;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A finished report of 100 silos on the page, in Chromium, without running Spark: the job is completed in the job
 * store with the summary the report's own statistics code writes for 100 silos of random hours. The page shows the
 * first 20 silos and a "Show all 100 silos" button; after it, every row equals the API's JSON, every silo has its
 * chart with one point per hour with data; no Content-Security-Policy violation.
 */
class PageManySilosIT {
  private static final int SILOS = 100;
  private static final int HOURS = 48;
  @TempDir Path dir;

  private static String summary(Instant from) {
    Instant end = from.plus(HOURS, ChronoUnit.HOURS);
    ReportStatistics statistics = new ReportStatistics(from, end, end, StatisticsSettings.DEFAULTS);
    Random random = new Random(100);
    for (int silo = 1; silo <= SILOS; silo++) {
      List<SiloHour> hours = new ArrayList<>();
      double level = 20 + random.nextInt(60);
      for (int h = 0; h < HOURS; h++) {
        level += random.nextGaussian();
        boolean spiked = silo % 10 == 0 && h >= 19 && h <= 21; // a spike at hour 20 of every tenth silo
        if (random.nextInt(8) == 0 && !spiked) {
          continue; // an hour without data
        }
        BigDecimal v = BigDecimal.valueOf(Math.round((level + (spiked && h == 20 ? 40 : 0)) * 100), 2);
        hours.add(new SiloHour(from.plus(h, ChronoUnit.HOURS), v.multiply(BigDecimal.valueOf(2)), 2, v, v, 0, false));
      }
      statistics.add(silo, hours);
    }
    return statistics.toJson();
  }

  @Test
  void aHundredSilosShowTwentyThenAllOnAsking() throws Exception {
    Clock clock = Clock.systemUTC();
    Instant from = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(3, ChronoUnit.DAYS);
    ProgressStore progress = new ProgressStore() {
      @Override
      public Optional<AggregationProgress> last(Pipeline p) {
        return Optional.empty();
      }

      @Override
      public String describe() {
        return "none";
      }
    };
    WebDriver browser = null;
    try (ReportJobStore store = JobStores.sqlite(dir, clock, "api");
        ApiServer server = ApiAccessTest.server(store, clock, "127.0.0.1", 20, 200, dir, progress)) {
      ReportJobLifecycle lifecycle = new ReportJobLifecycle(store);
      String jobId = "r-many-silos";
      ReportRequest request = ReportRequest.fromJson("{\"from\": \"" + from + "\", \"to\": \""
          + from.plus(HOURS, ChronoUnit.HOURS) + "\"}");
      lifecycle.take(jobId, request, Duration.ofHours(1));
      String key = "reports/" + jobId + "/silo_data_report.xlsx";
      Files.createDirectories(dir.resolve("output").resolve(key).getParent());
      Files.write(dir.resolve("output").resolve(key), new byte[] {1});
      lifecycle.complete(jobId, new ReportOutput.Stored(key, "unused"), summary(from));

      browser = Chromium.start(dir.resolve("chrome-profile"), Map.of());
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(200));
      browser.get(server.url() + "/");
      browser.findElement(By.id("token")).sendKeys(ApiAccessTest.ALICE);
      browser.findElement(By.id("save-token")).click();
      wait.until(b -> !b.findElements(By.cssSelector("button.findings-of[data-job='" + jobId + "']")).isEmpty());
      browser.findElement(By.cssSelector("button.findings-of[data-job='" + jobId + "']")).click();
      wait.until(b -> b.findElement(By.id("findings")).isDisplayed());

      List<WebElement> rows = browser.findElements(By.cssSelector("#summary-rows tr"));
      assertEquals(SILOS, rows.size());
      assertEquals(20, rows.stream().filter(WebElement::isDisplayed).count(), "the first 20 silos shown");
      WebElement more = browser.findElement(By.id("show-all-silos"));
      assertTrue(more.isDisplayed());
      assertEquals("Show all 100 silos", more.getText());
      more.click();
      wait.until(b -> b.findElements(By.cssSelector("#summary-rows tr")).stream().allMatch(WebElement::isDisplayed));
      assertFalse(more.isDisplayed());

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(server.url() + "/api/reports/" + jobId)).header("Authorization", "Bearer " + ApiAccessTest.ALICE)
          .build(), HttpResponse.BodyHandlers.ofString());
      JsonNode summary = PageFindings.JSON.readTree(r.body()).get("summary");
      assertEquals(SILOS, browser.findElements(By.cssSelector("#summary-rows svg")).size(), "a chart per silo");
      for (int i = 0; i < SILOS; i++) {
        JsonNode s = summary.get("silos").get(i);
        PageFindings.assertRow(s, PageFindings.cells(rows.get(i)), "Silo " + s.get("silo").asInt());
        assertEquals(s.get("hoursWithData").asInt(), PageFindings.pointsWithData(s));
        assertEquals(PageFindings.pointsWithData(s), PageFindings.pathPoints(rows.get(i)), "silo " + (i + 1));
      }
      PageFindings.assertRow(summary.get("allSilos"),
          PageFindings.cells(browser.findElement(By.id("all-silos-row"))), "All silos");
      assertEquals(Math.max(1, summary.get("gapList").size()), browser.findElements(By.cssSelector("#gaps li")).size()
          - (summary.get("gapList").size() >= summary.get("listedAtMost").asInt() ? 1 : 0),
          "one line per listed gap, and a line saying the list is cut");
      List<WebElement> anomalyLines = browser.findElements(By.cssSelector("#anomalies li"));
      JsonNode anomalies = summary.get("anomalyList");
      assertTrue(anomalies.size() >= SILOS / 10, "a spike in every tenth silo: " + anomalies);
      for (int i = 0; i < anomalies.size(); i++) {
        JsonNode a = anomalies.get(i);
        String hour = a.get("hour").asText().replace("T", " ").substring(0, 16);
        int hours = a.get("hours").asInt();
        String expected = "Silo " + a.get("silo").asInt() + ", " + hour + " UTC: " + a.get("kind").asText()
            + (hours > 1 ? " for " + hours + " h" : "") + ", average "
            + a.get("average").decimalValue().setScale(2, java.math.RoundingMode.UNNECESSARY).toPlainString()
            + (a.hasNonNull("reason") && !a.get("reason").asText().isEmpty() ? " (" + a.get("reason").asText() + ")" : "");
        assertEquals(expected, anomalyLines.get(i).getText(), "anomaly " + i);
      }
      assertEquals(List.of(), Chromium.cspViolations(browser), "the page runs under its Content-Security-Policy");
    } finally {
      if (browser != null) {
        browser.quit();
      }
    }
  }
}
