package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Airflow's REST API over HTTP. Version 1 (Airflow 2.x, {@code /api/v1}) authenticates every call with HTTP basic
 * authentication, which Airflow 2 accepts only when {@code [api] auth_backends} lists
 * {@code airflow.api.auth.backend.basic_auth}. Version 2 (Airflow 3.x, {@code /api/v2}) has no auth backends: the
 * user's credentials are exchanged for a JWT at {@code POST <url>/auth/token} ({@code {"username", "password"}} ->
 * {@code 201 {"access_token"}}), sent as {@code Authorization: Bearer}, and fetched again shortly before its
 * {@code exp} or when a call answers 401.
 */
final class AirflowHttpApi implements AirflowApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A token this close to its expiry is replaced before a call rather than after a refusal. */
  private static final Duration TOKEN_MARGIN = Duration.ofSeconds(30);

  private final int version;
  private final String base;
  private final String api;
  private final String user;
  private final String password;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http;
  private String token;
  private Instant tokenExpires;

  AirflowHttpApi(int version, String url, String apiPath, String user, String password, Duration timeout,
      Clock clock) {
    this.version = version;
    this.base = url.replaceAll("/+$", "");
    this.api = apiPath == null ? "/api/v" + version : "/" + apiPath.replaceAll("^/+|/+$", "");
    this.user = user;
    this.password = password == null ? "" : password;
    this.timeout = timeout;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public synchronized Reply call(String method, String path, JsonNode body) throws IOException, InterruptedException {
    Reply r = send(method, path, body);
    if (r.status() == 401 && version >= 2) {
      token = null; // expired early, or the server's key changed: one fresh token, one more try
      r = send(method, path, body);
    }
    if (r.status() == 401) {
      throw new IllegalStateException(version >= 2
          ? "Airflow refused a fresh token of worker.airflow.user '" + user + "' (HTTP 401"
              + detail(r) + ")"
          : "Airflow refused " + (user == null ? "a call without credentials" : "the credentials of"
              + " worker.airflow.user '" + user + "'") + " (HTTP 401" + detail(r) + "): check worker.airflow.user and"
              + " SILO_REPORTS_WORKER_AIRFLOW_PASSWORD, and that Airflow's [api] auth_backends lists"
              + " airflow.api.auth.backend.basic_auth (Airflow 2's default, the session backend, refuses API clients)");
    }
    return r;
  }

  private Reply send(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + api + path)).timeout(timeout)
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (version >= 2) {
      b.header("Authorization", "Bearer " + token());
    } else if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return reply(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** The current token, or a new one from {@code /auth/token} when there is none or it is about to expire. */
  private String token() throws IOException, InterruptedException {
    if (token != null && (tokenExpires == null || clock.instant().isBefore(tokenExpires.minus(TOKEN_MARGIN)))) {
      return token;
    }
    String login = JSON.createObjectNode().put("username", user).put("password", password).toString();
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/auth/token")).timeout(timeout)
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(login, StandardCharsets.UTF_8)).build();
    Reply r = reply(http.send(request, HttpResponse.BodyHandlers.ofString()));
    if (r.status() == 401 || r.status() == 403) {
      throw new IllegalStateException("Airflow refused the credentials of worker.airflow.user '"
          + user + "' at /auth/token (HTTP " + r.status() + detail(r) + "): check worker.airflow.user and"
          + " SILO_REPORTS_WORKER_AIRFLOW_PASSWORD");
    }
    String issued = r.body().path("access_token").asText("");
    if (!r.ok() || issued.isEmpty()) {
      throw new IllegalStateException("Airflow gave no token at /auth/token (HTTP " + r.status()
          + detail(r) + "); is it Airflow 3 (worker.airflow.api=v2)?");
    }
    token = issued;
    tokenExpires = expiry(issued);
    return token;
  }

  /** The {@code exp} claim of a JWT (read, not verified: the server verifies it); null when it has none. */
  static Instant expiry(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      return null;
    }
    try {
      JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return claims.path("exp").isNumber() ? Instant.ofEpochSecond(claims.path("exp").asLong()) : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static Reply reply(HttpResponse<String> response) {
    JsonNode body;
    try {
      body = response.body() == null || response.body().isBlank() ? MissingNode.getInstance()
          : JSON.readTree(response.body());
    } catch (IOException e) {
      body = MissingNode.getInstance(); // a proxy's HTML page: the status says enough
    }
    return new Reply(response.statusCode(), body);
  }

  private static String detail(Reply r) {
    String d = r.detail();
    return d.isEmpty() ? "" : ": " + d;
  }

  @Override
  public int version() {
    return version;
  }

  @Override
  public String where() {
    URI u = URI.create(base);
    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + u.getRawPath() + api;
  }
}
