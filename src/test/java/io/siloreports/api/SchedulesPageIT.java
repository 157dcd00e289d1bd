package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.Chromium;
import io.siloreports.testing.Profiles;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's Schedules section in a real browser (Debian's Chromium and chromedriver, as {@link PageIT}): give the
 * token, add a schedule at a local time in a zone with two recipients, see it listed with them, pause it, delete it;
 * the API shows each step, a bad zone shows the API's reason on the page, and a ticked attach box with no address is
 * the page's own error with nothing sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulesPageIT {
  private static final String TOKEN = "planner-token-1-for-tests-01234567";
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private ReportService server;
  private WebDriver browser;
  private ApiClient api;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "planner:" + TOKEN);
    m.put("api.worker", "false");
    m.put("notify.email.allowed-domains", "example.com");
    server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();
    api = new ApiClient(server.url(), TOKEN);
    browser = Chromium.start(dir.resolve("chrome-profile"), Map.of());
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private WebElement el(String id) {
    return browser.findElement(By.id(id));
  }

  private WebDriverWait waitUpTo(Duration d) {
    // The list is rebuilt after each action: a row read while it is replaced is read again.
    return (WebDriverWait) new WebDriverWait(browser, d, Duration.ofMillis(200))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  private String row(String name) {
    List<WebElement> rows = browser.findElements(By.cssSelector("#schedules tr[data-name='" + name + "']"));
    return rows.isEmpty() ? null : rows.get(0).getText();
  }

  /** A listed schedule's Recipients cell. */
  private String recipientsOf(String name) {
    return waitUpTo(Duration.ofSeconds(10)).until(b -> b.findElement(
        By.cssSelector("#schedules tr[data-name='" + name + "'] .sched-recipients")).getText());
  }

  @Test
  void addAScheduleItShowsPauseItDeleteIt() throws Exception {
    browser.get(server.url() + "/");
    el("token").sendKeys(TOKEN);
    el("save-token").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("schedules").getText().contains("No schedules yet."));
    Chromium.recordSent(browser);

    el("sched-name").sendKeys("bad-zone");
    el("sched-zone").sendKeys("Europe/Berln");
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("sched-error").getText().contains("unknown time zone"));
    assertEquals(404, api.get("/api/schedules/bad-zone").status());

    el("sched-name").clear();
    el("sched-name").sendKeys("berlin-nightly");
    el("sched-zone").clear();
    el("sched-zone").sendKeys("Europe/Berlin");
    el("sched-attach").click();
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> el("sched-error").getText().contains("Give an address"));
    assertEquals(404, api.get("/api/schedules/berlin-nightly").status(), "nothing sent without an address");
    el("sched-attach").click(); // unticked again
    el("sched-recipients").sendKeys("ops@example.com,  night.shift@example.com ");
    ((JavascriptExecutor) browser).executeScript("document.getElementById('sched-at').value = '23:00';"
        + " document.getElementById('sched-days').value = '2';");
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("berlin-nightly") != null);
    String shown = row("berlin-nightly");
    assertTrue(shown.contains("23:00") && shown.contains("Europe/Berlin") && shown.contains("active"), shown);
    assertEquals("ops@example.com, night.shift@example.com", recipientsOf("berlin-nightly"));
    ApiClient.Answer stored = api.get("/api/schedules/berlin-nightly");
    assertEquals("ops@example.com,night.shift@example.com", stored.json().get("recipients").asText());
    assertNotEquals("true", stored.json().path("attach").asText(), "attach only when ticked: " + stored.body());
    List<String> sent = Chromium.sentBodies(browser, "POST", "/api/schedules");
    assertEquals(2, sent.size(), "the bad zone, then berlin-nightly (not the one without an address): " + sent);
    JsonNode berlin = JSON.readTree(sent.get(1));
    assertEquals("[\"ops@example.com\",\"night.shift@example.com\"]", berlin.get("recipients").toString());
    assertFalse(berlin.has("attach"), sent.get(1));
    assertEquals("23:00", stored.json().get("at").asText());
    assertEquals("2", stored.json().get("days").asText());
    assertEquals("planner", stored.json().get("created_by").asText());

    el("sched-name").clear();
    el("sched-name").sendKeys("no-mail");
    el("sched-recipients").clear();
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("no-mail") != null);
    assertEquals("none", recipientsOf("no-mail"));
    assertTrue(api.get("/api/schedules/no-mail").json().get("recipients").isNull());

    // Changed on the page: Edit fills the form with the schedule, Save sends its fields with the form's over them.
    assertEquals(201, api.post("/api/schedules", "{\"name\": \"pdf-daily\", \"at\": \"07:00\", \"zone\": \"UTC\","
        + " \"days\": 1, \"silos\": \"1,2\", \"format\": \"pdf\", \"recipients\": [\"ops@example.com\"]}").status());
    el("sched-recipients").clear();
    browser.navigate().refresh();
    Chromium.recordSent(browser); // a new page: record its requests again
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("pdf-daily") != null);
    browser.findElement(By.cssSelector("#schedules tr[data-name='pdf-daily'] .sched-edit")).click();
    assertEquals("pdf-daily", el("sched-name").getAttribute("value"));
    assertEquals("pdf", el("sched-format").getAttribute("value"));
    assertEquals("ops@example.com", el("sched-recipients").getAttribute("value"));
    assertEquals("Save changes", el("sched-add").getText());
    ((JavascriptExecutor) browser).executeScript("document.getElementById('sched-at').value = '06:30';");
    el("sched-zone").clear();
    el("sched-zone").sendKeys("Europe/Berlin");
    el("sched-attach").click();
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("pdf-daily").contains("06:30"));
    JsonNode changed = api.get("/api/schedules/pdf-daily").json();
    assertEquals("06:30", changed.get("at").asText());
    assertEquals("Europe/Berlin", changed.get("zone").asText());
    assertEquals("1,2", changed.path("silos").asText(), "fields the form does not show are kept: " + changed);
    assertEquals("pdf", changed.get("format").asText());
    assertEquals("true", changed.path("attach").asText());
    assertEquals("ops@example.com", changed.get("recipients").asText());
    assertEquals("Add schedule", el("sched-add").getText(), "back to adding");
    assertEquals("ops@example.com (file attached)", recipientsOf("pdf-daily"));

    browser.findElement(By.cssSelector("#schedules tr[data-name='berlin-nightly'] .sched-pause")).click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("berlin-nightly").contains("paused"));
    assertTrue(api.get("/api/schedules/berlin-nightly").json().get("paused").asBoolean());

    browser.findElement(By.cssSelector("#schedules tr[data-name='berlin-nightly'] .sched-delete")).click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> row("berlin-nightly") == null);
    assertEquals(404, api.get("/api/schedules/berlin-nightly").status());

    // The attach box ticked: the page sends "attach": "true"; with a refused zone nothing is stored.
    el("sched-attach").click(); // unticked after the change above
    el("sched-recipients").clear();
    el("sched-name").clear();
    el("sched-name").sendKeys("attached");
    el("sched-zone").clear();
    el("sched-zone").sendKeys("Europe/Berln");
    el("sched-recipients").sendKeys("ops@example.com");
    el("sched-attach").click();
    el("sched-add").click();
    waitUpTo(Duration.ofSeconds(10)).until(b -> !el("sched-error").getText().isEmpty());
    assertEquals(404, api.get("/api/schedules/attached").status());
    List<String> all = Chromium.sentBodies(browser, "POST", "/api/schedules");
    JsonNode ticked = JSON.readTree(all.get(all.size() - 1));
    assertEquals("attached", ticked.get("name").asText());
    assertEquals("true", ticked.path("attach").asText(), "ticked: " + ticked);
    assertEquals(List.of(), Chromium.cspViolations(browser), "the page runs under its Content-Security-Policy");
  }
}
