package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.Chromium;
import io.siloreports.testing.Profiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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

/**
 * The service seen from pages of other origins, in Chromium: a front end on a listed origin calls the API with a
 * bearer token and reads its JSON; the same page on an origin not listed gets the browser's CORS failure; a page
 * that puts the service in a frame gets an empty, blocked frame. The other origins are one small JDK server in this
 * test, reached as {@code http://localhost:<port>} (listed) and {@code http://127.0.0.1:<port>} (not listed): two
 * origins to the browser.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossOriginIT {
  private static final String TOKEN = "browser-token-0123456789-for-tests-abcdefghij";
  @TempDir static Path dir;
  private ReportService service;
  private HttpServer frontEnd;
  private WebDriver browser;
  private String listed;
  private String notListed;

  @BeforeAll
  void start() throws Exception {
    frontEnd = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    frontEnd.createContext("/", x -> {
      String path = x.getRequestURI().getPath();
      String html = path.equals("/frame")
          ? "<!DOCTYPE html><html><body><iframe id='service' src='" + x.getRequestURI().getQuery() + "'></iframe>"
              + "<iframe id='own' src='/inner'></iframe></body></html>"
          : "<!DOCTYPE html><html><body><p id='inner'>" + path + "</p></body></html>";
      byte[] body = html.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    frontEnd.start();
    int port = frontEnd.getAddress().getPort();
    listed = "http://localhost:" + port;
    notListed = "http://127.0.0.1:" + port;

    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "front:" + TOKEN);
    m.put("api.worker", "false");
    m.put("api.cors.allowed-origins", listed);
    service = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    service.start();
    browser = Chromium.start(dir.resolve("chrome-profile"), Map.of());
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.close();
    }
    if (frontEnd != null) {
      frontEnd.stop(0);
    }
  }

  /** What a page of {@code origin} gets from {@code fetch}ing the service's job list with the token. */
  private String fetchJobsFrom(String origin) {
    browser.get(origin + "/app");
    Object result = ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch(arguments[0] + '/api/reports?limit=5', {headers: {'Authorization': 'Bearer ' + arguments[1]}})"
            + ".then(r => r.json().then(j => done(r.status + ' ' + Array.isArray(j.jobs))))"
            + ".catch(e => done(e.name));",
        service.url(), TOKEN);
    return String.valueOf(result);
  }

  @Test
  void aListedOriginsPageReadsTheApiAndAnotherOriginsPageIsRefusedByTheBrowser() {
    assertEquals("200 true", fetchJobsFrom(listed));
    assertEquals("TypeError", fetchJobsFrom(notListed), "the browser withholds the answer from an unlisted origin");
    List<String> console = Chromium.console(browser);
    assertTrue(console.stream().anyMatch(l -> l.contains("CORS policy") && l.contains(notListed)), console.toString());
  }

  @Test
  void aPageOfAnotherOriginCannotFrameTheService() {
    Chromium.console(browser); // forget earlier lines
    browser.get(listed + "/frame?" + service.url() + "/");
    browser.switchTo().frame("own");
    assertEquals(1, browser.findElements(By.id("inner")).size(), "the control: a frame that may be framed loads");
    browser.switchTo().defaultContent();
    browser.switchTo().frame("service");
    assertEquals(0, browser.findElements(By.id("generate")).size(), "the service's page must not load in a frame");
    browser.switchTo().defaultContent();
    List<String> console = Chromium.console(browser);
    assertTrue(console.stream().anyMatch(l -> l.contains("frame-ancestors 'none'")), console.toString());
  }
}
