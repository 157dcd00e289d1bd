package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

/**
 * The Amazon MWAA endpoint on loopback for the two operations the submitter uses, as MWAA's service model
 * (mwaa-2020-07-01, restJson1, SigV4 signing name {@code airflow}; read in aws/aws-sdk-go-v2
 * {@code service/mwaa/api_op_InvokeRestApi.go}, {@code serde_snapshot/InvokeRestApi.request.snap},
 * {@code response_snapshot/RestApiClientException.error.snap}, {@code types/enums.go}) and the API reference
 * (https://docs.aws.amazon.com/mwaa/latest/API/API_InvokeRestApi.html) describe them:
 *
 * <ul>
 *   <li>{@code GET /environments/{Name}} (GetEnvironment) -> {@code {"Environment": {"Name", "AirflowVersion",
 *       "Status"}}};</li>
 *   <li>{@code POST /restapi/{Name}} (InvokeRestApi) with {@code {"Path" (required, 1-64 characters), "Method"
 *       (required: GET, PUT, POST, PATCH, DELETE), "QueryParameters", "Body"}} -> 200 {@code {"RestApiStatusCode",
 *       "RestApiResponse"}}; Airflow's 4xx as 400 {@code RestApiClientException}, its 5xx as 400
 *       {@code RestApiServerException}, each with the same two fields.</li>
 * </ul>
 *
 * <p>Refusals: a request without a SigV4 {@code Authorization} (403 MissingAuthenticationTokenException), an unknown
 * access key (403 UnrecognizedClientException), a signature that does not verify (recomputed here with the SDK's
 * signer and the key's secret at the request's {@code X-Amz-Date}; 403 InvalidSignatureException), a scope not for
 * service {@code airflow} in this region, an identity without the permission (403 AccessDeniedException), missing or
 * invalid fields (400 ValidationException), an unknown environment (404 ResourceNotFoundException), throttling (429
 * ThrottlingException). Error types go in {@code x-amzn-ErrorType} and {@code __type}. Airflow behind it is an
 * {@link AirflowStandIn} answering v1 or v2 by the environment's Airflow version.
 */
final class MwaaStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern AUTH = Pattern.compile(
      "^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+),"
          + " Signature=([0-9a-f]{64})$");
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "PATCH", "DELETE");

  final Map<String, String> environments = new ConcurrentHashMap<>(); // name -> Airflow version
  final Set<String> deniedKeys = ConcurrentHashMap.newKeySet();
  final List<JsonNode> invocations = new CopyOnWriteArrayList<>();
  final AtomicInteger throttleNext = new AtomicInteger();
  private final Map<String, String> secrets = new ConcurrentHashMap<>(); // access key -> secret key
  private final String region;
  private final Clock clock;
  private final AirflowStandIn airflow;
  private HttpServer server;

  MwaaStandIn(String region, Clock clock, AirflowStandIn airflow) {
    this.region = region;
    this.clock = clock;
    this.airflow = airflow;
  }

  MwaaStandIn credentials(String accessKey, String secretKey) {
    secrets.put(accessKey, secretKey);
    return this;
  }

  String start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::serve);
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void serve(HttpExchange x) throws IOException {
    byte[] in = x.getRequestBody().readAllBytes();
    String path = x.getRequestURI().getRawPath();
    AirflowStandIn.Answer a;
    String refusal = signatureRefusal(x, in);
    Matcher env = Pattern.compile("^/(environments|restapi)/([^/]+)$").matcher(path);
    if (refusal != null) {
      a = awsError(403, refusal.substring(0, refusal.indexOf(':')), refusal.substring(refusal.indexOf(':') + 2));
    } else if (!env.matches()) {
      a = awsError(404, "UnknownOperationException", "no operation " + x.getRequestMethod() + " " + path);
    } else if (deniedKeys.contains(accessKey(x))) {
      a = awsError(403, "AccessDeniedException", "User is not authorized to perform: airflow:"
          + (env.group(1).equals("restapi") ? "InvokeRestApi" : "GetEnvironment"));
    } else if (throttleNext.get() > 0) {
      throttleNext.decrementAndGet();
      a = awsError(429, "ThrottlingException", "Rate exceeded");
    } else {
      String name = URLDecoder.decode(env.group(2), StandardCharsets.UTF_8);
      String version = environments.get(name);
      if (version == null) {
        a = awsError(404, "ResourceNotFoundException", "Environment " + name + " not found");
      } else if (env.group(1).equals("environments") && x.getRequestMethod().equals("GET")) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("Environment").put("Name", name).put("AirflowVersion", version).put("Status", "AVAILABLE");
        a = new AirflowStandIn.Answer(200, e);
      } else if (env.group(1).equals("restapi") && x.getRequestMethod().equals("POST")) {
        a = invoke(version, JSON.readTree(in));
      } else {
        a = awsError(404, "UnknownOperationException", "no operation " + x.getRequestMethod() + " " + path);
      }
    }
    byte[] out = a.body().toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    if (a.body().has("__type")) {
      x.getResponseHeaders().set("x-amzn-ErrorType", a.body().get("__type").asText());
    }
    x.sendResponseHeaders(a.status(), out.length);
    x.getResponseBody().write(out);
    x.close();
  }

  private AirflowStandIn.Answer invoke(String airflowVersion, JsonNode request) throws IOException {
    invocations.add(request);
    String path = request.path("Path").asText("");
    String method = request.path("Method").asText("");
    if (path.isEmpty() || path.length() > 64) {
      return awsError(400, "ValidationException", "1 validation error detected: Value at 'path' failed to satisfy"
          + " constraint: Member must have length less than or equal to 64 and greater than or equal to 1");
    }
    if (!METHODS.contains(method)) {
      return awsError(400, "ValidationException", "Value '" + method + "' at 'method' failed to satisfy constraint");
    }
    byte[] body = request.has("Body") ? request.get("Body").toString().getBytes(StandardCharsets.UTF_8) : new byte[0];
    int version = airflowVersion.startsWith("2.") ? 1 : 2;
    AirflowStandIn.Answer answer = airflow.handle(version, method, path, "application/json", body, "MWAA");
    ObjectNode out = JSON.createObjectNode().put("RestApiStatusCode", answer.status());
    out.set("RestApiResponse", answer.body());
    if (answer.status() >= 400) {
      out.put("__type", answer.status() >= 500 ? "RestApiServerException" : "RestApiClientException");
      return new AirflowStandIn.Answer(400, out);
    }
    return new AirflowStandIn.Answer(200, out);
  }

  /** Why the request's SigV4 signature is refused ({@code "Type: message"}), or null when it verifies. */
  private String signatureRefusal(HttpExchange x, byte[] body) {
    String auth = x.getRequestHeaders().getFirst("Authorization");
    String date = x.getRequestHeaders().getFirst("X-Amz-Date");
    if (auth == null || date == null) {
      return "MissingAuthenticationTokenException: Missing Authentication Token";
    }
    Matcher m = AUTH.matcher(auth);
    if (!m.matches() || !secrets.containsKey(m.group(1))) {
      return "UnrecognizedClientException: The security token included in the request is invalid.";
    }
    if (!m.group(3).equals(region) || !m.group(4).equals("airflow")) {
      return "InvalidSignatureException: Credential should be scoped to a valid region and to service 'airflow'.";
    }
    Instant signedAt = Instant.from(AMZ_DATE.parse(date));
    if (Duration.between(signedAt, clock.instant()).abs().compareTo(Duration.ofMinutes(5)) > 0) {
      return "InvalidSignatureException: Signature expired: " + date;
    }
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(x.getRequestMethod()))
        .uri(URI.create("http://" + x.getRequestHeaders().getFirst("Host") + x.getRequestURI().getRawPath()));
    for (String h : m.group(5).split(";")) {
      request.putHeader(h, x.getRequestHeaders().getOrDefault(h, List.of()));
    }
    SdkHttpRequest expected = AwsV4HttpSigner.create().sign(s -> s
        .identity(AwsBasicCredentials.create(m.group(1), secrets.get(m.group(1)))).request(request.build())
        .payload(body.length == 0 ? null : ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "airflow").putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))).request();
    if (!auth.equals(expected.firstMatchingHeader("Authorization").orElse(""))) {
      return "InvalidSignatureException: The request signature we calculated does not match the signature you"
          + " provided. Check your AWS Secret Access Key and signing method.";
    }
    return null;
  }

  private static String accessKey(HttpExchange x) {
    Matcher m = AUTH.matcher(x.getRequestHeaders().getFirst("Authorization"));
    return m.matches() ? m.group(1) : "";
  }

  private static AirflowStandIn.Answer awsError(int status, String type, String message) {
    return new AirflowStandIn.Answer(status, JSON.createObjectNode().put("__type", type).put("message", message));
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
  }
}
