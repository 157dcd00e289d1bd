package io.siloreports.worker.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON POST to a URL, retried like every webhook here: connection errors, timeouts, 408, 429 and 5xx up to
 * {@code attempts} times with a doubling pause; another 4xx is final, its answer's first line in the reason (Slack
 * answers {@code invalid_payload}, {@code no_text}). Shared by the signed webhook, Slack and Teams.
 */
final class JsonPost {
  private static final Logger LOG = LoggerFactory.getLogger(JsonPost.class);

  private final int attempts;
  private final Duration backoff;
  private final Duration timeout;
  private final HttpClient http;

  JsonPost(int attempts, Duration backoff, Duration timeout) {
    if (attempts < 1) {
      throw new IllegalArgumentException("notify.webhook.attempts must be at least 1, got " + attempts);
    }
    this.attempts = attempts;
    this.backoff = backoff;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** Posts {@code body} to {@code url} with the headers {@code headers} gives for each attempt (signatures age). */
  void send(String url, String body, Supplier<Map<String, String>> headers) throws Exception {
    String last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "silo-reports")
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      headers.get().forEach(request::header);
      boolean retry;
      try {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
          return;
        }
        String said = r.body() == null ? "" : r.body().strip().lines().findFirst().orElse("");
        last = "HTTP " + code + (said.isEmpty() ? "" : " " + (said.length() > 100 ? said.substring(0, 100) : said));
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
        LOG.info("{}: attempt {} of {} failed ({}); again in {}", Notifier.shown(url), attempt, attempts, last,
            pause);
        Thread.sleep(pause.toMillis());
      }
    }
    throw new IOException("gave up after " + attempts + " attempt(s): " + last);
  }
}
