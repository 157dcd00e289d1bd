package io.siloreports.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium through its chromedriver, for the tests of the page: its console kept, so a test can
 * see what the browser refused (a Content-Security-Policy violation, a blocked frame, a CORS failure).
 */
public final class Chromium {
  private static final String BINARY = "/usr/bin/chromium";
  private static final String DRIVER = "/usr/bin/chromedriver";

  private Chromium() {}

  /** A browser with its profile in {@code profile}; {@code prefs} as Chromium's preferences; more flags. */
  public static ChromeDriver start(Path profile, Map<String, Object> prefs, String... flags) {
    assertTrue(Files.isExecutable(Path.of(BINARY)) && Files.isExecutable(Path.of(DRIVER)),
        "the page tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver;"
            + " .ci/run installs them)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1280,1100", "--user-data-dir=" + profile);
    options.addArguments(flags);
    options.setExperimentalOption("prefs", prefs);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of(DRIVER).toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** The console lines logged since the last call. */
  public static List<String> console(WebDriver browser) {
    List<String> out = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      out.add(e.getLevel() + " " + e.getMessage());
    }
    return out;
  }

  /**
   * From now until the page is loaded again, keeps what the page's script sends with {@code fetch}: a test sees what
   * the page asked, whatever the server answered. The driver runs this script, outside the page's CSP.
   */
  public static void recordSent(WebDriver browser) {
    ((JavascriptExecutor) browser).executeScript("window.sentByPage = []; const pageFetch = window.fetch;"
        + " window.fetch = (url, init) => { window.sentByPage.push({ method: (init && init.method) || 'GET', url,"
        + " body: (init && init.body) || null }); return pageFetch(url, init); };");
  }

  /** The bodies the page sent as {@code method} to {@code path} since {@link #recordSent}, oldest first. */
  public static List<String> sentBodies(WebDriver browser, String method, String path) {
    List<String> out = new ArrayList<>();
    Object sent = ((JavascriptExecutor) browser).executeScript("return window.sentByPage.filter(r => r.method"
        + " === arguments[0] && r.url === arguments[1]).map(r => r.body);", method, path);
    for (Object body : (List<?>) sent) {
      out.add((String) body);
    }
    return out;
  }

  /** The console lines since the last call that report a Content-Security-Policy violation. */
  public static List<String> cspViolations(WebDriver browser) {
    return console(browser).stream().filter(l -> l.contains("Content Security Policy")).toList();
  }
}
