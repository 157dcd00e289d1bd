package io.siloreports.worker.notify;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HTTP POST of the JSON body to a URL, signed with a shared secret: {@code X-Silo-Reports-Timestamp} (epoch
 * seconds) and {@code X-Silo-Reports-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">}, so a receiver can
 * check the sender and refuse replays. Connection errors, timeouts, 408, 429 and 5xx answers are retried up to
 * {@code attempts} times with a doubling pause; another 4xx is final.
 */
public final class WebhookNotifier implements Notifier {
  public static final String SIGNATURE_HEADER = "X-Silo-Reports-Signature";
  public static final String TIMESTAMP_HEADER = "X-Silo-Reports-Timestamp";

  private final byte[] secret;
  private final Clock clock;
  private final JsonPost post;

  public WebhookNotifier(String secret, int attempts, Duration backoff, Duration timeout, Clock clock) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("webhook notifications need notify.webhook.secret (from the environment:"
          + " SILO_REPORTS_NOTIFY_WEBHOOK_SECRET), the key receivers check signatures with");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
    this.post = new JsonPost(attempts, backoff, timeout);
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
  public void send(String target, Notification notification) throws Exception {
    String body = notification.body();
    post.send(target, body, () -> {
      long ts = clock.instant().getEpochSecond();
      return Map.of(TIMESTAMP_HEADER, Long.toString(ts), SIGNATURE_HEADER, signature(secret, ts, body));
    });
  }
}
