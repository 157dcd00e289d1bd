package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Airflow API server on loopback, for the operations the submitter uses, as Airflow's published API documents
 * describe them, refusing what they refuse:
 *
 * <ul>
 *   <li>v1 (Airflow 2.x): {@code spec/v1.yaml} of apache/airflow-client-python at tag 2.10.0 (the copy of
 *       apache/airflow's {@code airflow/api_connexion/openapi/v1.yaml} of Airflow 2.10.0): server {@code /api/v1},
 *       security {@code Basic}; {@code GET /dags/{dag_id}} (DAG: {@code is_paused}, {@code is_active}); {@code POST
 *       /dags/{dag_id}/dagRuns} (DAGRun; 200, 400, 401, 403, 404, 409; a paused DAG's run "will remain queued"),
 *       {@code GET|PATCH /dags/{dag_id}/dagRuns/{dag_run_id}} (UpdateDagRunState: {@code state} in success, failed,
 *       queued); errors are RFC 7807 problems ({@code type, title, status, detail}); a body that is not
 *       {@code application/json} is refused 415 (connexion).</li>
 *   <li>v2 (Airflow 3.x): apache/airflow {@code airflow-core/src/airflow/api_fastapi/core_api/openapi/
 *       v2-rest-api-generated.yaml} (stored version at commit 000c339d, the 3.1 line; apache/airflow-client-python
 *       tag 3.2.1 {@code spec/v2.yaml} has the same paths) and the simple auth manager's {@code
 *       auth/managers/simple/openapi/v2-simple-auth-manager-generated.yaml}: {@code POST /auth/token} (LoginBody
 *       {@code username, password}, no other fields; 201 {@code {"access_token"}}, 401), then {@code Authorization:
 *       Bearer} on {@code /api/v2}; {@code TriggerDAGRunPostBody} requires {@code logical_date} (null allowed) and
 *       forbids other fields ({@code additionalProperties: false}), so does {@code DAGRunPatchBody}; DAGResponse has
 *       {@code is_paused}, {@code is_stale}; errors are {@code {"detail": ...}}, validation errors 422 with
 *       {@code detail: [{loc, msg, type}]}.</li>
 * </ul>
 *
 * <p>Runs are created {@code queued}; {@link #schedule()} starts the queued runs of unpaused DAGs, like a scheduler.
 */
final class AirflowStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DAG = Pattern.compile("^/dags/([^/]+)$");
  private static final Pattern RUNS = Pattern.compile("^/dags/([^/]+)/dagRuns$");
  private static final Pattern RUN = Pattern.compile("^/dags/([^/]+)/dagRuns/([^/]+)$");
  private static final Set<String> V2_TRIGGER_FIELDS = Set.of("dag_run_id", "data_interval_start",
      "data_interval_end", "logical_date", "run_after", "conf", "note");

  /** What a call asked: the API version, method, path (under the API's root), body and Authorization header. */
  record Call(int version, String method, String path, JsonNode body, String authorization) {}

  /** An answer: status and JSON body. */
  record Answer(int status, JsonNode body) {}

  final Map<String, Boolean> dags = new ConcurrentHashMap<>(); // dag id -> paused
  final Map<String, ObjectNode> runs = new ConcurrentHashMap<>(); // dag/run -> DAGRun
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final AtomicInteger throttleNext = new AtomicInteger();
  final AtomicInteger tokensIssued = new AtomicInteger();
  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final Clock clock;
  private final long tokenSeconds;
  private volatile byte[] jwtKey = key();
  private HttpServer server;

  AirflowStandIn(Clock clock, long tokenSeconds) {
    this.clock = clock;
    this.tokenSeconds = tokenSeconds;
  }

  AirflowStandIn user(String name, String password) {
    users.put(name, password);
    return this;
  }

  AirflowStandIn dag(String dagId, boolean paused) {
    dags.put(dagId, paused);
    return this;
  }

  /** Serves v1 under {@code /api/v1}, v2 under {@code /api/v2} and {@code /auth/token}; returns the base URL. */
  String start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::serve);
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The server's signing key changes (a restart with a new secret): every token issued so far is refused. */
  void rotateTokenKey() {
    jwtKey = key();
  }

  /** Like the scheduler: queued runs of unpaused DAGs start running. */
  void schedule() {
    runs.forEach((k, run) -> {
      if (run.path("state").asText().equals("queued") && !dags.getOrDefault(run.path("dag_id").asText(), true)) {
        run.put("state", "running");
      }
    });
  }

  ObjectNode run(String dagId, String runId) {
    return runs.get(dagId + "/" + runId);
  }

  long count(String method, String pathPrefix) {
    return calls.stream().filter(c -> c.method().equals(method) && c.path().startsWith(pathPrefix)).count();
  }

  private void serve(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getRawPath();
    byte[] in = x.getRequestBody().readAllBytes();
    String contentType = x.getRequestHeaders().getFirst("Content-Type");
    Answer a;
    if (path.equals("/auth/token") && x.getRequestMethod().equals("POST")) {
      a = token(contentType, in);
    } else if (path.startsWith("/api/v1/") || path.startsWith("/api/v2/")) {
      int version = path.charAt(6) - '0';
      String auth = x.getRequestHeaders().getFirst("Authorization");
      a = authenticated(version, auth) ? handle(version, x.getRequestMethod(), path.substring(7), contentType, in, auth)
          : error(version, 401, version == 1 ? "Unauthorized" : auth == null ? "Not authenticated" : "Invalid JWT token");
    } else {
      a = error(2, 404, "Not Found");
    }
    byte[] out = a.body().toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", a.status() >= 400 && !path.startsWith("/api/v2")
        && !path.equals("/auth/token") ? "application/problem+json" : "application/json");
    x.sendResponseHeaders(a.status(), out.length);
    x.getResponseBody().write(out);
    x.close();
  }

  /** v1: basic authentication of a known user; v2: a bearer JWT this server signed with its current key, unexpired. */
  private boolean authenticated(int version, String auth) {
    if (auth == null) {
      return false;
    }
    if (version == 1) {
      if (!auth.startsWith("Basic ")) {
        return false;
      }
      String[] up = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8).split(":", 2);
      return up.length == 2 && up[1].equals(users.get(up[0]));
    }
    if (!auth.startsWith("Bearer ")) {
      return false;
    }
    String[] parts = auth.substring(7).split("\\.");
    if (parts.length != 3 || !parts[2].equals(sign(parts[0] + "." + parts[1]))) {
      return false;
    }
    try {
      JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return claims.path("exp").asLong() > clock.instant().getEpochSecond();
    } catch (IOException e) {
      return false;
    }
  }

  private Answer token(String contentType, byte[] in) throws IOException {
    if (contentType == null || !contentType.startsWith("application/json")) {
      return error(2, 415, "Unsupported Media Type");
    }
    JsonNode body = JSON.readTree(in);
    ArrayNode problems = JSON.createArrayNode();
    for (String f : List.of("username", "password")) {
      if (!body.path(f).isTextual()) {
        problems.add(problem("missing", f, "Field required"));
      }
    }
    body.fieldNames().forEachRemaining(f -> {
      if (!f.equals("username") && !f.equals("password")) {
        problems.add(problem("extra_forbidden", f, "Extra inputs are not permitted"));
      }
    });
    if (!problems.isEmpty()) {
      return new Answer(422, JSON.createObjectNode().set("detail", problems));
    }
    if (!body.path("password").asText().equals(users.get(body.path("username").asText()))) {
      return error(2, 401, "Invalid credentials");
    }
    tokensIssued.incrementAndGet();
    String header = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
    String claims = b64(JSON.createObjectNode().put("sub", body.path("username").asText())
        .put("exp", clock.instant().getEpochSecond() + tokenSeconds).toString());
    return new Answer(201, JSON.createObjectNode().put("access_token", header + "." + claims + "." + sign(header + "."
        + claims)));
  }

  /** One authenticated call of API {@code version} ({@code path} under its root); MWAA's stand-in calls this too. */
  Answer handle(int version, String method, String path, String contentType, byte[] in, String auth)
      throws IOException {
    JsonNode body = in.length == 0 ? null : JSON.readTree(in);
    calls.add(new Call(version, method, URLDecoder.decode(path, StandardCharsets.UTF_8), body, auth));
    if (throttleNext.get() > 0) {
      throttleNext.decrementAndGet();
      return error(version, 429, "rate limited");
    }
    Matcher m;
    if ((m = DAG.matcher(path)).matches() && method.equals("GET")) {
      String dag = decode(m.group(1));
      if (!dags.containsKey(dag)) {
        return error(version, 404, "Dag with id " + dag + " was not found");
      }
      ObjectNode d = JSON.createObjectNode().put("dag_id", dag).put("is_paused", dags.get(dag));
      return new Answer(200, version == 1 ? d.put("is_active", true) : d.put("is_stale", false));
    }
    if ((m = RUNS.matcher(path)).matches() && method.equals("POST")) {
      return trigger(version, decode(m.group(1)), contentType, body);
    }
    if ((m = RUN.matcher(path)).matches() && (method.equals("GET") || method.equals("PATCH"))) {
      ObjectNode run = runs.get(decode(m.group(1)) + "/" + decode(m.group(2)));
      if (run == null) {
        return error(version, 404, "The DagRun with dag_id: `" + decode(m.group(1)) + "` and run_id: `"
            + decode(m.group(2)) + "` was not found");
      }
      if (method.equals("PATCH")) {
        Answer refused = mediaType(version, contentType);
        if (refused == null) {
          refused = patchRefusal(version, body);
        }
        if (refused != null) {
          return refused;
        }
        run.put("state", body.path("state").asText());
      }
      return new Answer(200, run.deepCopy());
    }
    return error(version, 404, "no operation " + method + " " + path + " in this stand-in");
  }

  private Answer trigger(int version, String dag, String contentType, JsonNode body) {
    Answer refused = mediaType(version, contentType);
    if (refused != null) {
      return refused;
    }
    if (body == null || !body.isObject() || (body.has("conf") && !body.get("conf").isObject()
        && !(version == 2 && body.get("conf").isNull()))) {
      return version == 1 ? error(1, 400, "conf must be an object")
          : new Answer(422, JSON.createObjectNode().set("detail", JSON.createArrayNode()
              .add(problem("dict_type", "conf", "Input should be a valid dictionary"))));
    }
    if (version == 2) {
      ArrayNode problems = JSON.createArrayNode();
      if (!body.has("logical_date")) {
        problems.add(problem("missing", "logical_date", "Field required"));
      }
      body.fieldNames().forEachRemaining(f -> {
        if (!V2_TRIGGER_FIELDS.contains(f)) {
          problems.add(problem("extra_forbidden", f, "Extra inputs are not permitted"));
        }
      });
      if (!problems.isEmpty()) {
        return new Answer(422, JSON.createObjectNode().set("detail", problems));
      }
    }
    if (!dags.containsKey(dag)) {
      return error(version, 404, "DAG with dag_id: '" + dag + "' not found");
    }
    String runId = body.path("dag_run_id").asText("manual__" + clock.instant());
    if (runs.containsKey(dag + "/" + runId)) {
      return error(version, 409, "DAGRun with DAG ID: '" + dag + "' and DAGRun ID: '" + runId + "' already exists");
    }
    ObjectNode run = JSON.createObjectNode().put("dag_id", dag).put("dag_run_id", runId).put("state", "queued");
    run.set("conf", body.path("conf").isObject() ? body.get("conf") : JSON.createObjectNode());
    run.set("logical_date", body.path("logical_date").isMissingNode() ? null : body.get("logical_date"));
    runs.put(dag + "/" + runId, run);
    return new Answer(200, run.deepCopy());
  }

  private static Answer patchRefusal(int version, JsonNode body) {
    Set<String> states = Set.of("success", "failed", "queued");
    boolean validState = body != null && states.contains(body.path("state").asText());
    boolean extra = body != null && version == 2 && JSON.convertValue(body, Map.class).keySet().stream()
        .anyMatch(k -> !k.equals("state") && !k.equals("note"));
    if (validState && !extra) {
      return null;
    }
    return version == 1 ? error(1, 400, "'state' must be one of success, failed, queued")
        : new Answer(422, JSON.createObjectNode().set("detail", JSON.createArrayNode()
            .add(problem("enum", "state", "Input should be 'queued', 'success' or 'failed'"))));
  }

  /** v1 (connexion) refuses a body of another media type with 415; v2 (FastAPI) cannot read it: 422. */
  private static Answer mediaType(int version, String contentType) {
    if (contentType != null && contentType.startsWith("application/json")) {
      return null;
    }
    return version == 1 ? error(1, 415, "Invalid Content-type (" + contentType + "), expected JSON data")
        : new Answer(422, JSON.createObjectNode().set("detail", JSON.createArrayNode().add(problem(
            "model_attributes_type", "body", "Input should be a valid dictionary or object to extract fields from"))));
  }

  static Answer error(int version, int status, String detail) {
    if (version == 1) {
      return new Answer(status, JSON.createObjectNode().put("type", "about:blank").put("title", title(status))
          .put("status", status).put("detail", detail));
    }
    return new Answer(status, JSON.createObjectNode().put("detail", detail));
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 415 -> "Unsupported Media Type";
      case 429 -> "Too Many Requests";
      default -> "Error";
    };
  }

  private static ObjectNode problem(String type, String field, String msg) {
    ObjectNode p = JSON.createObjectNode().put("type", type).put("msg", msg);
    p.putArray("loc").add("body").add(field);
    return p;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private String sign(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(new SecretKeySpec(jwtKey, "HmacSHA512"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] key() {
    byte[] k = new byte[32];
    new java.security.SecureRandom().nextBytes(k);
    return k;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
