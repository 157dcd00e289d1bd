package io.siloreports.worker.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP POST of the JSON body to a URL, signed with a shared secret: {@code X-Silo-Reports-Timestamp} (epoch
 * seconds) and {@code X-Silo-Reports-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">}, so a receiver can
 * check the sender and refuse replays. Connection errors, timeouts, 408, 429 and 5xx answers are retried up to
 * {@code attempts} times with a doubling pause; another 4xx is final.
 */
public final class WebhookNotifier implements Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
  public static final String SIGNATURE_HEADER = "X-Silo-Reports-Signature";
  public static final String TIMESTAMP_HEADER = "X-Silo-Reports-Timestamp";

  private final byte[] secret;
  private final int attempts;
  private final Duration backoff;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http;

  public WebhookNotifier(String secret, int attempts, Duration backoff, Duration timeout, Clock clock) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("webhook notifications need notify.webhook.secret (from the environment:"
          + " SILO_REPORTS_NOTIFY_WEBHOOK_SECRET), the key receivers check signatures with");
    }
    if (attempts < 1) {
      throw new IllegalArgumentException("notify.webhook.attempts must be at least 1, got " + attempts);
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.attempts = attempts;
    this.backoff = backoff;
    this.timeout = timeout;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public boolean handles(String target) {
    return target.startsWith("https://") || target.startsWith("http://");
  }

  /** The signature of {@code body} sent at {@code timestamp}, as the header carries it. */
  public static String signature(byte[] secret, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(
          mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  @Override
  public void send(String target, String subject, String body) throws Exception {
    String last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      long ts = clock.instant().getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(URI.create(target)).timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "silo-reports")
          .header(TIMESTAMP_HEADER, Long.toString(ts))
          .header(SIGNATURE_HEADER, signature(secret, ts, body))
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
      boolean retry;
      try {
        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
          return;
        }
        last = "HTTP " + code;
        retry = code == 408 || code == 429 || code >= 500;
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        retry = true;
      }
      if (!retry) {
        break;
      }
      if (attempt < attempts) {
        Duration pause = backoff.multipliedBy(1L << (attempt - 1));
        LOG.info("{}: attempt {} of {} failed ({}); again in {}", Notifier.shown(target), attempt, attempts, last,
            pause);
        Thread.sleep(pause.toMillis());
      }
    }
    throw new IOException("gave up after " + attempts + " attempt(s): " + last);
  }
}
