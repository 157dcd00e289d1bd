package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import io.siloreports.worker.ReportWorker;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EMR submitter through the worker, against a local HTTP endpoint that speaks EMR's awsJson1_1 with the real AWS
 * SDK client: submit, record the step, reconcile its state with the job, and what throttling and errors leave behind.
 * (The Airflow submitter's flows are in {@link AirflowSubmitterTest}.)
 */
class RemoteSubmittersTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG = Duration.ofDays(1);
  @TempDir Path dir;
  private HttpServer endpoint;
  private ReportJobStore jobs;
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final List<String> auth = new CopyOnWriteArrayList<>();
  /** Step id -> state (and failure details). */
  private final Map<String, String> states = new ConcurrentHashMap<>();
  private final AtomicInteger throttleNext = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    endpoint.createContext("/", x -> {
      byte[] in = x.getRequestBody().readAllBytes();
      auth.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
      String target = x.getRequestHeaders().getFirst("X-Amz-Target");
      int status = 200;
      String out;
      if (target != null) { // EMR
        JsonNode body = JSON.readTree(in);
        requests.add(body);
        if (throttleNext.get() > 0) {
          throttleNext.decrementAndGet();
          status = 400;
          out = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
        } else if (target.endsWith("AddJobFlowSteps")) {
          String id = "s-" + (states.size() + 1);
          states.put(id, "PENDING");
          out = "{\"StepIds\":[\"" + id + "\"]}";
        } else if (target.endsWith("DescribeStep")) {
          String[] s = states.get(body.path("StepId").asText()).split("\\|");
          String failure = s.length > 1 ? ",\"FailureDetails\":{\"Reason\":\"" + s[1] + "\",\"Message\":\"" + s[2]
              + "\",\"LogFile\":\"s3://logs/j-TEST/steps/\"}" : "";
          out = "{\"Step\":{\"Id\":\"" + body.path("StepId").asText() + "\",\"Name\":\"x\",\"Status\":{\"State\":\""
              + s[0] + "\"" + failure + "}}}";
        } else {
          status = 400;
          out = "{\"__type\":\"ValidationException\",\"message\":\"unknown target\"}";
        }
        x.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      } else {
        status = 404;
        out = "{}";
      }
      byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(status, bytes.length);
      x.getResponseBody().write(bytes);
      x.close();
    });
    endpoint.start();
    System.setProperty("aws.accessKeyId", "test-key");
    System.setProperty("aws.secretAccessKey", "test-secret");
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    endpoint.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private String url() {
    return "http://127.0.0.1:" + endpoint.getAddress().getPort();
  }

  private ReportWorker worker(Submitter s) {
    return ReportWorker.builder().jobs(jobs.as("worker")).submitter(s, 5).polling(Duration.ofMillis(10),
        Duration.ZERO).timeouts(LONG, LONG, LONG).build();
  }

  private List<String> history(String jobId) {
    List<String> out = new ArrayList<>();
    for (JobEvent e : jobs.events(jobId)) {
      out.add(e.to() + (e.detail() == null ? "" : ": " + e.detail()));
    }
    return out;
  }

  @Test
  void emrStepsAreAddedRecordedAndReconciledWithTheirJobs() {
    EmrSubmitter emr = new EmrSubmitter(new EmrSubmitter.Settings("j-TEST", "s3://artifacts/silo-reports",
        "eu-west-1", url(), Map.of("db", "rds/silo"), List.of("--driver-memory", "2g")));
    ReportWorker worker = worker(emr);
    jobs.create("fails-on-emr", "silo_hourly", "{}");
    jobs.create("never-finishes", "silo_hourly", "{}");
    worker.round();
    JsonNode add = requests.get(0);
    assertEquals("j-TEST", add.path("JobFlowId").asText());
    JsonNode step = add.path("Steps").get(0);
    assertEquals("CONTINUE", step.path("ActionOnFailure").asText());
    assertEquals("command-runner.jar", step.path("HadoopJarStep").path("Jar").asText());
    List<String> args = new ArrayList<>();
    step.path("HadoopJarStep").path("Args").forEach(a -> args.add(a.asText()));
    assertEquals(EmrSubmitter.stepArgs("s3://artifacts/silo-reports", "fails-on-emr", Map.of("db", "rds/silo"),
        List.of("--driver-memory", "2g")), args);
    assertTrue(auth.get(0).startsWith("AWS4-HMAC-SHA256 Credential=test-key/"), "signed by the SDK: " + auth.get(0));
    assertEquals("emr j-TEST step s-1", jobs.find("fails-on-emr").orElseThrow().submitRef());
    assertEquals(JobStatus.SUBMITTED, jobs.find("fails-on-emr").orElseThrow().status());

    states.put("s-1", "RUNNING");
    worker.round();
    assertEquals(JobStatus.SUBMITTED, jobs.find("fails-on-emr").orElseThrow().status(), "a running step waits");
    states.put("s-1", "FAILED|Step failed|Exception in thread main: java.lang.OutOfMemoryError");
    states.put("s-2", "COMPLETED");
    worker.round();
    ReportJob failed = jobs.find("fails-on-emr").orElseThrow();
    assertEquals(JobStatus.FAILED, failed.status());
    assertTrue(failed.errorMessage().contains("EMR step FAILED: Step failed; Exception in thread main:"
        + " java.lang.OutOfMemoryError; log s3://logs/j-TEST/steps/"), failed.errorMessage());
    ReportJob ended = jobs.find("never-finishes").orElseThrow();
    assertEquals(JobStatus.FAILED, ended.status());
    assertTrue(ended.errorMessage().contains("EMR step COMPLETED) without finishing the job"), ended.errorMessage());
  }

  @Test
  void aThrottledEmrSubmissionLeavesTheJobQueuedSayingSo() {
    EmrSubmitter emr = new EmrSubmitter(new EmrSubmitter.Settings("j-TEST", "s3://artifacts/silo-reports",
        "eu-west-1", url(), Map.of(), List.of()));
    jobs.create("throttled", "silo_hourly", "{}");
    throttleNext.set(100); // more than the SDK's own retries
    worker(emr).round();
    ReportJob j = jobs.find("throttled").orElseThrow();
    assertEquals(JobStatus.PENDING, j.status());
    List<String> h = history("throttled");
    assertTrue(h.get(h.size() - 1).startsWith("PENDING: submission throttled by EMR cluster j-TEST"), h.toString());
    assertTrue(h.get(h.size() - 1).contains("ThrottlingException"), h.toString());
    int calls = requests.size();
    assertTrue(calls >= 2, "the SDK retried throttling itself first: " + calls);

    throttleNext.set(0);
    worker(emr).round();
    assertEquals(JobStatus.SUBMITTED, jobs.find("throttled").orElseThrow().status(), "taken again, later");
  }

  @Test
  void aRefusedEmrSubmissionEndsTheJobFailedWithTheReason() {
    EmrSubmitter emr = new EmrSubmitter(new EmrSubmitter.Settings("j-GONE", "s3://artifacts/silo-reports",
        "eu-west-1", url() + "/nothing-here", Map.of(), List.of()));
    jobs.create("refused", "silo_hourly", "{}");
    endpoint.removeContext("/");
    endpoint.createContext("/", x -> {
      byte[] b = "{\"__type\":\"InvalidRequestException\",\"message\":\"Cluster id 'j-GONE' is not valid.\"}"
          .getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      x.sendResponseHeaders(400, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    worker(emr).round();
    ReportJob j = jobs.find("refused").orElseThrow();
    assertEquals(JobStatus.FAILED, j.status());
    assertTrue(j.errorMessage().contains("InvalidRequestException: Cluster id 'j-GONE' is not valid."),
        j.errorMessage());
  }
}
