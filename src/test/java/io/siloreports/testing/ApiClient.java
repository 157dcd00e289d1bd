package io.siloreports.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;

/** A plain HTTP client of the report service, the way any other program would call it. */
public final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;
  private final java.util.Map<String, String> headers;

  /** One answer: its status, its JSON body (null when it is not JSON) and its headers. */
  public record Answer(int status, JsonNode json, String body, java.net.http.HttpHeaders headers) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public ApiClient(String base, String token) {
    this(base, token, java.util.Map.of());
  }

  private ApiClient(String base, String token, java.util.Map<String, String> headers) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    this.headers = headers;
  }

  public ApiClient withToken(String other) {
    return new ApiClient(base, other, headers);
  }

  /** The same client, sending {@code name: value} with every request. */
  public ApiClient withHeader(String name, String value) {
    java.util.Map<String, String> more = new java.util.LinkedHashMap<>(headers);
    more.put(name, value);
    return new ApiClient(base, token, more);
  }

  public Answer get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Answer post(String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return send(b);
  }

  public Answer put(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json"));
  }

  public Answer delete(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    try {
      json = r.body().isEmpty() ? null : JSON.readTree(r.body());
    } catch (IOException e) {
      json = null;
    }
    return new Answer(r.statusCode(), json, r.body(), r.headers());
  }

  /** The bytes at an absolute URL (a download link), with no token. */
  public HttpResponse<byte[]> download(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Polls a job until it reaches one of {@code statuses}; fails after {@code timeout}. */
  public JsonNode awaitJob(String jobId, Set<String> statuses, Duration timeout) throws Exception {
    return await("/api/reports/" + jobId, j -> statuses.contains(j.get("status").asText()), timeout);
  }

  public JsonNode await(String path, Predicate<JsonNode> done, Duration timeout) throws Exception {
    Instant end = Instant.now().plus(timeout);
    JsonNode last = null;
    while (Instant.now().isBefore(end)) {
      Answer a = get(path);
      last = a.json();
      if (a.status() == 200 && done.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out after " + timeout + " waiting on " + path + "; last answer " + last);
  }
}
