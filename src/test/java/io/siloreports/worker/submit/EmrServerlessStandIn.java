package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EMR Serverless' job run API as the service defines it, for the submitter's tests. It follows the service's model,
 * EMR Serverless 2021-07-13, as boto/botocore ships it ({@code botocore/data/emr-serverless/2021-07-13/service-2.json}
 * at commit 0e6e2404, August 2026; aws-sdk-java-v2 generates its client from the service's model too, kept in its
 * {@code services/emrserverless/src/main/resources/codegen-resources/}), checked against the API Reference's
 * https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html (request syntax, {@code
 * Content-type: application/json}, the required members and their patterns), API_GetJobRun.html and
 * API_CancelJobRun.html:
 *
 * <ul>
 *   <li>protocol restJson1, SigV4 with signing name {@code emr-serverless} (checked by {@link AwsEndpoint});
 *   <li>{@code StartJobRun}: {@code POST /applications/{applicationId}/jobruns}, a JSON body whose required members
 *       are {@code clientToken} (1-64 of {@code [A-Za-z0-9._-]}) and {@code executionRoleArn} (an IAM role ARN),
 *       {@code name} 1-256, {@code jobDriver} a union of exactly one of {@code sparkSubmit} (whose
 *       {@code entryPoint} is required, 1-4096) or {@code hive}; answers {@code applicationId, jobRunId, arn}; the
 *       operation is idempotent on {@code clientToken}: a token seen before answers the run it started;
 *   <li>{@code GetJobRun}: {@code GET /applications/{applicationId}/jobruns/{jobRunId}} → {@code {"jobRun": {...}}}
 *       with the structure's required members and a {@code JobRunState} of SUBMITTED, PENDING, SCHEDULED, RUNNING,
 *       SUCCESS, FAILED, CANCELLING, CANCELLED or QUEUED;
 *   <li>{@code CancelJobRun}: {@code DELETE /applications/{applicationId}/jobruns/{jobRunId}} → {@code
 *       {applicationId, jobRunId}}; the run goes CANCELLING;
 *   <li>errors as restJson1 carries them (an {@code X-Amzn-ErrorType} header and {@code {"message"}}):
 *       ValidationException 400 (a missing or malformed member, in the wording of Smithy's restJson1 validation),
 *       ResourceNotFoundException 404 (an unknown application or run), UnsupportedMediaTypeException 415 for a body
 *       not sent as {@code application/json} (Smithy's restJson1 protocol test
 *       RestJsonWithBodyExpectsApplicationJsonContentType, smithy-lang/smithy
 *       smithy-aws-protocol-tests/model/restJson1/malformedRequests/malformed-content-type.smithy), and
 *       ThrottlingException 429 when the test asks.
 * </ul>
 */
final class EmrServerlessStandIn extends AwsEndpoint {
  static final String APPLICATION = "00fsilorep0rts1";
  static final String ACCOUNT = "123456789012";
  private static final Pattern RUNS = Pattern.compile("^/applications/([^/]+)/jobruns$");
  private static final Pattern RUN = Pattern.compile("^/applications/([^/]+)/jobruns/([^/]+)$");
  private static final Pattern CLIENT_TOKEN = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern ROLE_ARN = Pattern.compile(
      "arn:(aws[a-zA-Z0-9-]*):iam::([0-9]{12}):(role((\\u002F)|(\\u002F[\\u0021-\\u007F]+\\u002F))[\\w+=,.@-]+)");

  /** A job run: what started it and its state, which the test moves. */
  static final class JobRun {
    final String id;
    final JsonNode request;
    volatile String state = "SUBMITTED";
    volatile String stateDetails = "";

    JobRun(String id, JsonNode request) {
      this.id = id;
      this.request = request;
    }
  }

  final Map<String, JobRun> runs = new ConcurrentHashMap<>();
  private final Map<String, String> runByToken = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  /** The next n StartJobRun calls start their run but answer 500, as if the answer were lost on its way. */
  final AtomicInteger loseNextAnswers = new AtomicInteger();

  EmrServerlessStandIn() throws IOException {
    super("emr-serverless");
  }

  @Override
  Answer answer(Call call) {
    Matcher runs = RUNS.matcher(call.path());
    Matcher run = RUN.matcher(call.path());
    if (call.method().equals("POST") && runs.matches()) {
      return startJobRun(runs.group(1), call);
    }
    if (run.matches() && (call.method().equals("GET") || call.method().equals("DELETE"))) {
      if (!APPLICATION.equals(run.group(1))) {
        return error(404, "ResourceNotFoundException", "Application " + run.group(1) + " does not exist.");
      }
      JobRun r = this.runs.get(run.group(2));
      if (r == null) {
        return error(404, "ResourceNotFoundException", "Job run " + run.group(2) + " does not exist.");
      }
      if (call.method().equals("DELETE")) {
        if (!List.of("SUCCESS", "FAILED", "CANCELLED").contains(r.state)) {
          r.state = "CANCELLING";
        }
        return Answer.ok(JSON.createObjectNode().put("applicationId", APPLICATION).put("jobRunId", r.id));
      }
      return Answer.ok(JSON.createObjectNode().set("jobRun", jobRun(r)));
    }
    return error(404, "UnknownOperationException", "no operation at " + call.method() + " " + call.path());
  }

  private Answer startJobRun(String applicationId, Call call) {
    if (call.contentType() == null || !call.contentType().startsWith("application/json")) {
      return error(415, "UnsupportedMediaTypeException", "Unsupported Media Type: " + call.contentType());
    }
    JsonNode b = call.body() == null ? JSON.createObjectNode() : call.body();
    List<String> problems = new ArrayList<>();
    String token = text(b, "clientToken", true, CLIENT_TOKEN, problems);
    text(b, "executionRoleArn", true, ROLE_ARN, problems);
    String name = text(b, "name", false, null, problems);
    if (name != null && (name.isEmpty() || name.length() > 256)) {
      problems.add("Value at '/name' failed to satisfy constraint: Member must have length between 1 and 256");
    }
    JsonNode driver = b.path("jobDriver");
    if (!driver.isMissingNode()) {
      List<String> members = new ArrayList<>();
      driver.fieldNames().forEachRemaining(members::add);
      if (members.size() != 1) {
        problems.add("Value at '/jobDriver' failed to satisfy constraint: a union must have exactly one member set");
      } else if (members.get(0).equals("sparkSubmit")) {
        String entryPoint = text(driver.path("sparkSubmit"), "entryPoint", true, null, problems);
        if (entryPoint != null && (entryPoint.isBlank() || entryPoint.length() > 4096)) {
          problems.add("Value at '/jobDriver/sparkSubmit/entryPoint' failed to satisfy constraint: Member must have"
              + " length between 1 and 4096");
        }
      }
    }
    if (!problems.isEmpty()) {
      return error(400, "ValidationException", problems.size() + " validation error"
          + (problems.size() > 1 ? "s" : "") + " detected. " + String.join("; ", problems));
    }
    if (!APPLICATION.equals(applicationId)) {
      return error(404, "ResourceNotFoundException", "Application " + applicationId + " does not exist.");
    }
    String id = runByToken.computeIfAbsent(token, t -> {
      JobRun r = new JobRun(String.format("00f%013d", ids.incrementAndGet()), b);
      runs.put(r.id, r);
      return r.id;
    });
    if (loseNextAnswers.get() > 0) {
      loseNextAnswers.decrementAndGet();
      return error(500, "InternalServerException", "the answer was lost");
    }
    return Answer.ok(JSON.createObjectNode().put("applicationId", APPLICATION).put("jobRunId", id)
        .put("arn", arn(id)));
  }

  private static String text(JsonNode parent, String member, boolean required, Pattern pattern, List<String> problems) {
    JsonNode v = parent.path(member);
    if (v.isMissingNode() || v.isNull()) {
      if (required) {
        problems.add("Value null at '" + member + "' failed to satisfy constraint: Member must not be null");
      }
      return null;
    }
    if (!v.isTextual()) {
      problems.add("Value at '" + member + "' failed to satisfy constraint: Member must be a string");
      return null;
    }
    if (pattern != null && !pattern.matcher(v.asText()).matches()) {
      problems.add("Value '" + v.asText() + "' at '" + member + "' failed to satisfy constraint: Member must"
          + " satisfy regular expression pattern: " + pattern.pattern());
    }
    return v.asText();
  }

  private static String arn(String runId) {
    return "arn:aws:emr-serverless:eu-west-1:" + ACCOUNT + ":/applications/" + APPLICATION + "/jobruns/" + runId;
  }

  private static ObjectNode jobRun(JobRun r) {
    long now = System.currentTimeMillis() / 1000;
    ObjectNode n = JSON.createObjectNode()
        .put("applicationId", APPLICATION)
        .put("jobRunId", r.id)
        .put("arn", arn(r.id))
        .put("createdBy", "arn:aws:iam::" + ACCOUNT + ":user/worker")
        .put("createdAt", now)
        .put("updatedAt", now)
        .put("executionRole", r.request.path("executionRoleArn").asText())
        .put("state", r.state)
        .put("stateDetails", r.stateDetails)
        .put("releaseLabel", "emr-7.11.0");
    n.set("jobDriver", r.request.path("jobDriver"));
    if (r.request.has("name")) {
      n.put("name", r.request.path("name").asText());
    }
    return n;
  }

  @Override
  Answer throttled() {
    return error(429, "ThrottlingException", "Rate exceeded");
  }

  @Override
  void writeError(HttpExchange x, Answer a) throws IOException {
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("X-Amzn-ErrorType", a.errorCode());
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(a.status(), out.length);
    x.getResponseBody().write(out);
  }

  @Override
  String contentType() {
    return "application/json";
  }
}
