package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The step API of EMR on EC2 as its service model defines it, for the EMR submitter's tests: Amazon EMR 2009-03-31
 * ({@code botocore/data/emr/2009-03-31/service-2.json} of boto/botocore at 0e6e2404, August 2026; the API Reference's
 * https://docs.aws.amazon.com/emr/latest/APIReference/API_CancelSteps.html and its neighbours). Protocol awsJson1_1:
 * {@code POST /} with {@code X-Amz-Target: ElasticMapReduce.<Operation>}, SigV4 with signing name
 * {@code elasticmapreduce} (checked by {@link AwsEndpoint}), errors as {@code {"__type", "message"}}.
 *
 * <ul>
 *   <li>{@code AddJobFlowSteps}: required {@code JobFlowId, Steps}, each step {@code Name, HadoopJarStep{Jar}};
 *       answers {@code StepIds}; a step starts PENDING;
 *   <li>{@code DescribeStep}: required {@code ClusterId, StepId}; answers {@code Step{Id, Name, Status{State,
 *       FailureDetails}}};
 *   <li>{@code CancelSteps}: required {@code ClusterId, StepIds}, {@code StepCancellationOption} one of
 *       SEND_INTERRUPT, TERMINATE_PROCESS (default SEND_INTERRUPT); answers {@code CancelStepsInfoList} with a
 *       Status of SUBMITTED or FAILED and a Reason per step. A PENDING or RUNNING step goes CANCEL_PENDING; one that
 *       has ended gets FAILED (the reason's wording is the stand-in's own).
 * </ul>
 * A request missing a required member is a 400 ValidationException; an unknown cluster a 400
 * InvalidRequestException.
 */
final class EmrStepsStandIn extends AwsEndpoint {
  static final String CLUSTER = "j-TEST";

  /** A step: its arguments, its state (the test moves it) and how it was cancelled. */
  static final class Step {
    final String id;
    final JsonNode config;
    volatile String state = "PENDING";
    volatile String cancellationOption;

    Step(String id, JsonNode config) {
      this.id = id;
      this.config = config;
    }
  }

  final Map<String, Step> steps = new ConcurrentHashMap<>();

  EmrStepsStandIn() throws IOException {
    super("elasticmapreduce");
  }

  @Override
  Answer answer(Call call) {
    JsonNode b = call.body() == null ? JSON.createObjectNode() : call.body();
    String op = call.target() == null ? "" : call.target();
    return switch (op) {
      case "ElasticMapReduce.AddJobFlowSteps" -> {
        List<String> missing = missing(b, "JobFlowId", "Steps");
        for (JsonNode s : b.path("Steps")) {
          missing.addAll(missing(s, "Name", "HadoopJarStep"));
          missing.addAll(missing(s.path("HadoopJarStep"), "Jar"));
        }
        if (!missing.isEmpty()) {
          yield invalid(missing);
        }
        if (!CLUSTER.equals(b.path("JobFlowId").asText())) {
          yield unknownCluster(b.path("JobFlowId").asText());
        }
        ArrayNode ids = JSON.createArrayNode();
        for (JsonNode s : b.path("Steps")) {
          Step step = new Step("s-" + (steps.size() + 1), s);
          steps.put(step.id, step);
          ids.add(step.id);
        }
        yield Answer.ok(JSON.createObjectNode().set("StepIds", ids));
      }
      case "ElasticMapReduce.DescribeStep" -> {
        List<String> missing = missing(b, "ClusterId", "StepId");
        if (!missing.isEmpty()) {
          yield invalid(missing);
        }
        Step step = steps.get(b.path("StepId").asText());
        if (!CLUSTER.equals(b.path("ClusterId").asText()) || step == null) {
          yield error(400, "InvalidRequestException", "Step id '" + b.path("StepId").asText() + "' is not valid.");
        }
        ObjectNode status = JSON.createObjectNode().put("State", step.state);
        yield Answer.ok(JSON.createObjectNode().set("Step", JSON.createObjectNode().put("Id", step.id)
            .put("Name", step.config.path("Name").asText()).set("Status", status)));
      }
      case "ElasticMapReduce.CancelSteps" -> {
        List<String> missing = missing(b, "ClusterId", "StepIds");
        String option = b.path("StepCancellationOption").asText("SEND_INTERRUPT");
        if (!List.of("SEND_INTERRUPT", "TERMINATE_PROCESS").contains(option)) {
          missing.add("StepCancellationOption must be SEND_INTERRUPT or TERMINATE_PROCESS, got " + option);
        }
        if (!missing.isEmpty()) {
          yield invalid(missing);
        }
        if (!CLUSTER.equals(b.path("ClusterId").asText())) {
          yield unknownCluster(b.path("ClusterId").asText());
        }
        ArrayNode infos = JSON.createArrayNode();
        for (JsonNode id : b.path("StepIds")) {
          Step step = steps.get(id.asText());
          ObjectNode info = infos.addObject().put("StepId", id.asText());
          if (step != null && List.of("PENDING", "RUNNING").contains(step.state)) {
            step.state = "CANCEL_PENDING";
            step.cancellationOption = option;
            info.put("Status", "SUBMITTED");
          } else {
            info.put("Status", "FAILED").put("Reason", step == null ? "no such step"
                : "step " + step.id + " is " + step.state + " and cannot be cancelled");
          }
        }
        yield Answer.ok(JSON.createObjectNode().set("CancelStepsInfoList", infos));
      }
      default -> error(400, "UnknownOperationException", "unknown operation " + op);
    };
  }

  private static List<String> missing(JsonNode b, String... required) {
    List<String> out = new ArrayList<>();
    for (String r : required) {
      if (!b.hasNonNull(r)) {
        out.add("Value null at '" + r + "' failed to satisfy constraint: Member must not be null");
      }
    }
    return out;
  }

  private static Answer invalid(List<String> problems) {
    return error(400, "ValidationException", problems.size() + " validation error(s) detected: "
        + String.join("; ", problems));
  }

  private static Answer unknownCluster(String id) {
    return error(400, "InvalidRequestException", "Cluster id '" + id + "' is not valid.");
  }

  @Override
  Answer throttled() {
    return error(400, "ThrottlingException", "Rate exceeded");
  }

  @Override
  void writeError(HttpExchange x, Answer a) throws IOException {
    ObjectNode body = (ObjectNode) JSON.readTree(a.body());
    body.put("__type", a.errorCode());
    byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", contentType());
    x.sendResponseHeaders(a.status(), out.length);
    x.getResponseBody().write(out);
  }

  @Override
  String contentType() {
    return "application/x-amz-json-1.1";
  }
}
