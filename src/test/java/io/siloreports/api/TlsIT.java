package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.Chromium;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The service speaking TLS itself, against certificates a test CA signed (keytool): one service from PEM files (an EC
 * key) with HSTS, one from a PKCS12 store (an RSA key) with HSTS off. curl trusting the CA gets the answer and the
 * HSTS header, curl without it refuses the certificate; Chromium, told to accept the first service's key only
 * (its SPKI hash, not every certificate error), loads the page over https and the page's API calls work, while the
 * second service's page, whose key is not on that list, does not load.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {
  private static final String TOKEN = "tls-token-0123456789-for-tests-abcdefghij";
  @TempDir static Path dir;
  private TestCertificates ec;
  private TestCertificates rsa;
  private ReportService pem;
  private ReportService pkcs12;

  @BeforeAll
  void start() throws Exception {
    ec = TestCertificates.make(dir.resolve("ec"), "EC");
    rsa = TestCertificates.make(dir.resolve("rsa"), "RSA");
    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "ops:" + TOKEN);
    m.put("api.worker", "false");
    m.put("api.tls.certificate", ec.chain().toString());
    m.put("api.tls.private-key", ec.key().toString());
    pem = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    pem.start();
    m.remove("api.tls.certificate");
    m.remove("api.tls.private-key");
    m.put("api.tls.keystore", rsa.pkcs12().toString());
    m.put("api.tls.keystore-password", rsa.password());
    m.put("api.tls.hsts-max-age", "0s");
    pkcs12 = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    pkcs12.start();
  }

  @AfterAll
  void stop() {
    for (ReportService s : new ReportService[] {pem, pkcs12}) {
      if (s != null) {
        s.close();
      }
    }
  }

  private record Run(int exit, String output) {}

  private static Run curl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-D", "-", "-o", "/dev/null"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  @Test
  void curlTrustingTheCaGetsTheAnswerAndHstsAndWithoutItRefusesTheCertificate() throws Exception {
    assertTrue(pem.url().startsWith("https://127.0.0.1:"), pem.url());
    Run ok = curl("--cacert", ec.ca().toString(), pem.url() + "/api/openapi.json");
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().startsWith("HTTP/1.1 200"), ok.output());
    assertTrue(ok.output().toLowerCase().contains("strict-transport-security: max-age=31536000"), ok.output());
    Run byName = curl("--cacert", ec.ca().toString(), pem.url().replace("127.0.0.1", "localhost") + "/");
    assertEquals(0, byName.exit(), "the certificate names localhost too: " + byName.output());

    Run untrusted = curl(pem.url() + "/api/openapi.json");
    assertEquals(60, untrusted.exit(), "curl's 'peer certificate cannot be authenticated': " + untrusted.output());
    Run otherCa = curl("--cacert", rsa.ca().toString(), pem.url() + "/api/openapi.json");
    assertEquals(60, otherCa.exit(), otherCa.output());
    Run plain = curl(pem.url().replace("https:", "http:") + "/api/openapi.json");
    assertTrue(plain.exit() != 0 || !plain.output().startsWith("HTTP/1.1 200"), "no plain HTTP: " + plain.output());
  }

  @Test
  void aPkcs12StoreServesTooAndHstsCanBeOff() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(rsa.trustingTheCa()).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(pkcs12.url() + "/api/reports"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Strict-Transport-Security").isEmpty(), "api.tls.hsts-max-age=0s: no HSTS");
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null));
    HttpClient trustsOtherCa = HttpClient.newBuilder().sslContext(ec.trustingTheCa()).build();
    assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> trustsOtherCa.send(
        HttpRequest.newBuilder(URI.create(pkcs12.url() + "/")).build(), HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void tls13AndTls12AreSpoken() throws Exception {
    URI u = URI.create(pem.url());
    for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
      try (SSLSocket s = (SSLSocket) ec.trustingTheCa().getSocketFactory().createSocket(u.getHost(), u.getPort())) {
        s.setEnabledProtocols(new String[] {protocol});
        s.startHandshake();
        assertEquals(protocol, s.getSession().getProtocol());
      }
    }
  }

  @Test
  void chromiumLoadsThePageOverHttpsAndItsApiCallsWork() throws Exception {
    WebDriver browser = Chromium.start(dir.resolve("chrome-profile"), Map.of(),
        "--ignore-certificate-errors-spki-list=" + ec.spkiSha256());
    try {
      browser.get(pkcs12.url() + "/");
      assertEquals(0, browser.findElements(By.id("generate")).size(),
          "a certificate whose key is not on the list is refused: " + browser.getCurrentUrl());

      browser.get(pem.url() + "/");
      assertTrue(browser.findElement(By.id("generate")).isEnabled());
      browser.findElement(By.id("token")).sendKeys(TOKEN);
      browser.findElement(By.id("save-token")).click();
      new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(200)).until(b ->
          b.findElement(By.id("silo-list")).getText().equals("No silo has data yet.")); // GET /api/silos answered
      new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(200)).until(b ->
          b.findElement(By.id("jobs")).getText().contains("No report yet.")); // GET /api/reports answered
      assertEquals(List.of(), Chromium.cspViolations(browser));
    } finally {
      browser.quit();
    }
  }
}
