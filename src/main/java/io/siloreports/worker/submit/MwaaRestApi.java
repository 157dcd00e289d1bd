package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * Airflow's REST API through Amazon MWAA's {@code InvokeRestApi} (restJson: {@code POST /restapi/<environment>} with
 * {@code {"Path", "Method", "Body"}} on {@code env.airflow.<region>}; answers {@code {"RestApiStatusCode",
 * "RestApiResponse"}}, Airflow's refusals as {@code RestApiClientException}/{@code RestApiServerException} with the
 * same two fields), signed with SigV4 (service {@code airflow}) by the AWS SDK's signer with the default credential
 * chain. The environment's Airflow version ({@code GetEnvironment}, {@code GET /environments/<name>} on
 * {@code api.airflow.<region>}) tells which API document answers: 2.x speaks v1, 3.x v2. The SDK's generated
 * {@code mwaa} client is not used because its module does not resolve from the registry this project builds from;
 * the operations follow its service model (MWAA 2020-07-01).
 */
final class MwaaRestApi implements AirflowApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** InvokeRestApi's {@code Path} is 1-64 characters (the API reference's length constraint). */
  static final int MAX_PATH = 64;
  private static final Set<String> UNSIGNED = Set.of("host", "content-length");

  private final String environment;
  private final String region;
  private final String apiEndpoint;
  private final String envEndpoint;
  private final Duration timeout;
  private final AwsCredentialsProvider credentials;
  private final Clock clock;
  private final HttpClient http;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private volatile Integer version;

  MwaaRestApi(String environment, String region, String endpoint, Duration timeout, AwsCredentialsProvider credentials,
      Clock clock) {
    this.environment = environment;
    this.region = region;
    String suffix = PartitionMetadata.of(Region.of(region)).dnsSuffix();
    String base = endpoint == null ? null : endpoint.replaceAll("/+$", "");
    this.apiEndpoint = base != null ? base : "https://api.airflow." + region + "." + suffix;
    this.envEndpoint = base != null ? base : "https://env.airflow." + region + "." + suffix;
    this.timeout = timeout;
    this.credentials = credentials;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public Reply call(String method, String path, JsonNode body) throws IOException, InterruptedException {
    ObjectNode invoke = JSON.createObjectNode().put("Path", path).put("Method", method);
    if (body != null) {
      invoke.set("Body", body);
    }
    Reply r = send(SdkHttpMethod.POST, envEndpoint + "/restapi/" + name(), invoke.toString());
    String type = r.body().path("__type").asText("");
    if (r.ok() || type.equals("RestApiClientException") || type.equals("RestApiServerException")) {
      JsonNode answer = r.body().path("RestApiResponse");
      return new Reply(r.body().path("RestApiStatusCode").asInt(r.ok() ? 200 : 500),
          answer.isMissingNode() || answer.isNull() ? MissingNode.getInstance() : answer);
    }
    throw refusal("InvokeRestApi " + method + " " + path, r, "airflow:InvokeRestApi on arn:aws:airflow:" + region
        + ":<account>:role/" + environment + "/<Airflow role: Op or User>");
  }

  @Override
  public int version() throws IOException, InterruptedException {
    if (version == null) {
      Reply r = send(SdkHttpMethod.GET, apiEndpoint + "/environments/" + name(), null);
      if (!r.ok()) {
        throw refusal("GetEnvironment", r, "airflow:GetEnvironment on arn:aws:airflow:" + region
            + ":<account>:environment/" + environment);
      }
      String airflow = r.body().path("Environment").path("AirflowVersion").asText("");
      if (!airflow.matches("\\d+(\\..*)?")) {
        throw new IllegalStateException("MWAA did not say which Airflow environment " + environment + " runs ('"
            + airflow + "')");
      }
      version = Integer.parseInt(airflow.split("\\.")[0]) >= 3 ? 2 : 1;
    }
    return version;
  }

  private String name() {
    return URLEncoder.encode(environment, StandardCharsets.UTF_8);
  }

  /** A request signed with SigV4 for service {@code airflow}; the JDK client sends it (Host is its own). */
  private Reply send(SdkHttpMethod method, String url, String body) throws IOException, InterruptedException {
    SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(method).uri(URI.create(url))
        .putHeader("Accept", "application/json");
    if (body != null) {
      unsigned.putHeader("Content-Type", "application/json");
    }
    SdkHttpRequest signed = signer.sign(s -> s.identity(credentials.resolveCredentials()).request(unsigned.build())
        .payload(body == null ? null : ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "airflow")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(HttpSigner.SIGNING_CLOCK, clock)).request();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .method(method.name(), body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
      if (!UNSIGNED.contains(h.getKey().toLowerCase())) {
        h.getValue().forEach(v -> b.header(h.getKey(), v));
      }
    }
    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = response.body() == null || response.body().isBlank() ? MissingNode.getInstance()
          : JSON.readTree(response.body());
    } catch (IOException e) {
      json = MissingNode.getInstance();
    }
    String type = response.headers().firstValue("x-amzn-ErrorType").orElse(json.path("__type").asText(""));
    type = type.replaceAll(":.*$", "").replaceAll("^.*#", ""); // "aws.protocoltests#Name:http://..." -> "Name"
    if (!type.isEmpty() && json.isObject()) {
      ((ObjectNode) json).put("__type", type);
    }
    return new Reply(response.statusCode(), json);
  }

  /** MWAA's own refusal (not Airflow's): throttling to retry, or what to fix. */
  private RuntimeException refusal(String what, Reply r, String permission) {
    String type = r.body().path("__type").asText("");
    String message = r.body().path("message").asText(r.body().path("Message").asText(""));
    String said = (type.isEmpty() ? "HTTP " + r.status() : type) + (message.isEmpty() ? "" : ": " + message);
    if (r.status() == 429 || r.status() == 503 || type.equals("ThrottlingException")) {
      return new Busy("MWAA throttled " + what + " (" + said + ")");
    }
    if (type.equals("ResourceNotFoundException")) {
      return new IllegalStateException("MWAA has no environment " + environment + " in " + region + " (" + said
          + "): check worker.airflow.mwaa.environment and worker.airflow.mwaa.region");
    }
    if (type.equals("AccessDeniedException")) {
      return new IllegalStateException("MWAA denied " + what + " (" + said + "): the worker's AWS"
          + " identity needs " + permission);
    }
    if (r.status() == 403 || r.status() == 401) {
      return new IllegalStateException("MWAA refused the worker's AWS credentials for " + what + " (" + said + ")");
    }
    return new IllegalStateException("MWAA refused " + what + " (" + said + ")");
  }

  @Override
  public String where() {
    return "MWAA environment " + environment + " (" + region + ")";
  }

  @Override
  public int maxPathLength() {
    return MAX_PATH;
  }
}
