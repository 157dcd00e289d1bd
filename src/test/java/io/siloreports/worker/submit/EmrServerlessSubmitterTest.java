package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.cli.WorkerConfig;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import io.siloreports.worker.ReportWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.model.JobRunState;
import software.amazon.awssdk.services.emrserverless.model.ValidationException;

/**
 * The EMR Serverless submitter through the real AWS SDK client and the worker, against {@link EmrServerlessStandIn}
 * (EMR Serverless' job run API as its service model, EMR Serverless 2021-07-13 in boto/botocore
 * {@code botocore/data/emr-serverless/2021-07-13/service-2.json}, and the API Reference define it; SigV4 checked by
 * {@link AwsEndpoint}): a report's job run carries the EMR step's arguments (checked against
 * {@link EmrSubmitter#stepArgs} and Spark's own spark-submit parser), every job run state maps to going or ended, a
 * timed-out job's run is cancelled, a retried submission finds the run the first one started, throttling leaves the
 * job queued, and what the service refuses fails the job with its reason.
 */
class EmrServerlessSubmitterTest {
  private static final Duration LONG = Duration.ofDays(1);
  private static final String ROLE = "arn:aws:iam::123456789012:role/silo-reports-emr-serverless-job";
  private static final String ARTIFACTS = "s3://artifacts/silo-reports";
  @TempDir Path dir;
  private EmrServerlessStandIn service;
  private ReportJobStore jobs;

  @BeforeEach
  void start() throws Exception {
    service = new EmrServerlessStandIn();
    System.setProperty("aws.accessKeyId", AwsEndpoint.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", AwsEndpoint.SECRET_KEY);
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    service.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private EmrServerlessSubmitter submitter(String application) {
    return new EmrServerlessSubmitter(new EmrServerlessSubmitter.Settings(application, ROLE, ARTIFACTS, "eu-west-1",
        service.url(), Map.of("db", "rds/silo", "jobstore", "js/secret"), List.of("--conf", "spark.driver.memory=4g")));
  }

  private ReportWorker worker(Submitter s, Duration submittedTimeout) {
    return ReportWorker.builder().jobs(jobs.as("worker")).submitter(s, 5).polling(Duration.ofMillis(10),
        Duration.ZERO).timeouts(LONG, submittedTimeout, LONG).build();
  }

  private String lastEvent(String jobId) {
    List<JobEvent> events = jobs.events(jobId);
    JobEvent e = events.get(events.size() - 1);
    return e.to() + (e.detail() == null ? "" : ": " + e.detail());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return out;
  }

  @Test
  void aReportsJobRunCarriesTheEmrStepsArgumentsAndNoSecret() {
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      jobs.create("r-1", "silo_hourly", "{\"format\":\"csv\"}");
      worker(s, LONG).round();

      List<AwsEndpoint.Call> starts = service.calls("POST", "/applications/[^/]+/jobruns");
      assertEquals(1, starts.size());
      AwsEndpoint.Call start = starts.get(0);
      assertEquals("/applications/" + EmrServerlessStandIn.APPLICATION + "/jobruns", start.path());
      assertTrue(start.contentType().startsWith("application/json"), start.contentType());
      JsonNode body = start.body();
      assertEquals(ROLE, body.path("executionRoleArn").asText());
      assertEquals("silo-reports-report-r-1", body.path("name").asText());
      assertEquals(EmrServerlessSubmitter.clientToken("r-1"), body.path("clientToken").asText());
      assertEquals(1, body.path("retryPolicy").path("maxAttempts").asInt(), "one attempt: " + body);

      // The entry point and its arguments are the EMR step's jar and what follows it.
      List<String> step = EmrSubmitter.stepArgs(ARTIFACTS, "r-1", Map.of("db", "rds/silo", "jobstore", "js/secret"),
          List.of());
      int jar = step.indexOf(ARTIFACTS + "/silo-reports-shaded.jar");
      JsonNode spark = body.path("jobDriver").path("sparkSubmit");
      assertEquals(step.get(jar), spark.path("entryPoint").asText());
      List<String> arguments = texts(spark.path("entryPointArguments"));
      assertEquals(step.subList(jar + 1, step.size()), arguments);
      assertEquals(List.of("report", "--config", "emr.properties", "--conf", "db.password-secret-id=rds/silo",
          "--conf", "jobstore.password-secret-id=js/secret", "--job-id", "r-1"), arguments);
      assertFalse(body.toString().toLowerCase().contains("password="), "passwords go by secret id only: " + body);

      // Spark's own parser reads the parameters, the jar and its arguments as spark-submit would.
      List<String> submit = new ArrayList<>(Arrays.asList(spark.path("sparkSubmitParameters").asText().split(" ")));
      submit.add(spark.path("entryPoint").asText());
      submit.addAll(arguments);
      SparkSubmitArguments parsed = new SparkSubmitArguments(
          scala.collection.JavaConverters.asScalaBuffer(submit).toSeq(),
          scala.collection.immutable.Map$.MODULE$.<String, String>empty());
      assertEquals("io.siloreports.cli.Main", parsed.mainClass());
      assertEquals(ARTIFACTS + "/emr.properties", parsed.files());
      assertEquals("UTC", parsed.sparkProperties().get("spark.sql.session.timeZone").get());
      assertEquals("4g", parsed.sparkProperties().get("spark.driver.memory").get());
      assertEquals(spark.path("entryPoint").asText(), parsed.primaryResource());
      assertEquals(arguments, scala.collection.JavaConverters.seqAsJavaList(parsed.childArgs()));

      ReportJob j = jobs.find("r-1").orElseThrow();
      assertEquals(JobStatus.SUBMITTED, j.status());
      String run = service.runs.keySet().iterator().next();
      assertEquals("emr-serverless " + EmrServerlessStandIn.APPLICATION + " run " + run, j.submitRef());
    }
  }

  @Test
  void theClientTokenIsOnePerJobAndWhatTheApiAccepts() {
    Set<String> tokens = new TreeSet<>();
    for (String id : List.of("r-1", "r-2", "R-1", "sched-daily-20261130T0605Z", "a".repeat(128), "a".repeat(127) + "b")) {
      String token = EmrServerlessSubmitter.clientToken(id);
      assertTrue(token.matches("[A-Za-z0-9._-]{1,64}"), token);
      assertEquals(token, EmrServerlessSubmitter.clientToken(id), "the same job, the same token");
      tokens.add(token);
    }
    assertEquals(6, tokens.size(), "every job its own token");
  }

  @Test
  void everyJobRunStateMapsToGoingOrEnded() {
    // The JobRunState enum of the service model, with what each means for the job.
    Map<String, String> expected = Map.of("SUBMITTED", "going", "PENDING", "going", "SCHEDULED", "going",
        "RUNNING", "going", "QUEUED", "going", "CANCELLING", "going",
        "SUCCESS", "ended, succeeded", "FAILED", "ended, failed", "CANCELLED", "ended, failed");
    Set<String> sdk = new TreeSet<>();
    EnumSet.complementOf(EnumSet.of(JobRunState.UNKNOWN_TO_SDK_VERSION)).forEach(st -> sdk.add(st.toString()));
    assertEquals(new TreeSet<>(expected.keySet()), sdk, "the SDK knows the model's states, no more, no fewer");
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      jobs.create("r-1", "silo_hourly", "{}");
      worker(s, LONG).round();
      String ref = jobs.find("r-1").orElseThrow().submitRef();
      EmrServerlessStandIn.JobRun run = service.runs.values().iterator().next();
      run.stateDetails = "Job failed, ExitCode: 1. Last few exceptions: java.lang.OutOfMemoryError";
      expected.forEach((state, meaning) -> {
        run.state = state;
        Submitter.RunState got = s.state(ref).orElseThrow();
        String said = got.ended() ? "ended, " + (got.succeeded() ? "succeeded" : "failed") : "going";
        assertEquals(meaning, said, state);
        assertTrue(got.detail().startsWith("EMR Serverless job run " + state), got.detail());
        assertEquals(said.equals("ended, failed"), got.detail().endsWith(": " + run.stateDetails), got.detail());
      });
      assertTrue(s.state("emr j-1 step s-1").isEmpty(), "another submitter's ref is not ours");
    }
  }

  @Test
  void theWorkerFollowsItsRunsAndEndsTheJobWithTheRunsReason() {
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      ReportWorker worker = worker(s, LONG);
      jobs.create("fails", "silo_hourly", "{}");
      jobs.create("never-finishes", "silo_hourly", "{}");
      worker.round();
      assertEquals(2, service.runs.size());
      EmrServerlessStandIn.JobRun fails = run("fails");
      EmrServerlessStandIn.JobRun quiet = run("never-finishes");
      fails.state = "RUNNING";
      worker.round();
      assertEquals(JobStatus.SUBMITTED, jobs.find("fails").orElseThrow().status(), "a running run waits");
      fails.state = "FAILED";
      fails.stateDetails = "Job failed, ExitCode: 1";
      quiet.state = "SUCCESS";
      worker.round();
      ReportJob failed = jobs.find("fails").orElseThrow();
      assertEquals(JobStatus.FAILED, failed.status());
      assertTrue(failed.errorMessage().contains("EMR Serverless job run FAILED: Job failed, ExitCode: 1"),
          failed.errorMessage());
      ReportJob ended = jobs.find("never-finishes").orElseThrow();
      assertEquals(JobStatus.FAILED, ended.status());
      assertTrue(ended.errorMessage().contains("EMR Serverless job run SUCCESS) without finishing the job"),
          ended.errorMessage());
    }
  }

  private EmrServerlessStandIn.JobRun run(String jobId) {
    String ref = jobs.find(jobId).orElseThrow().submitRef();
    return service.runs.get(ref.substring(ref.lastIndexOf(' ') + 1));
  }

  @Test
  void aTimedOutJobsRunIsCancelledAndAnEndedOneIsLeftAlone() throws Exception {
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      ReportWorker worker = worker(s, Duration.ofMillis(300));
      jobs.create("slow", "silo_hourly", "{}");
      worker.round();
      EmrServerlessStandIn.JobRun run = run("slow");
      String ref = jobs.find("slow").orElseThrow().submitRef();
      run.state = "RUNNING";
      Thread.sleep(400);
      worker.round();
      ReportJob j = jobs.find("slow").orElseThrow();
      assertEquals(JobStatus.FAILED, j.status());
      List<AwsEndpoint.Call> cancels = service.calls("DELETE", "/applications/[^/]+/jobruns/[^/]+");
      assertEquals(1, cancels.size(), "CancelJobRun once");
      assertEquals("/applications/" + EmrServerlessStandIn.APPLICATION + "/jobruns/" + run.id,
          cancels.get(0).path());
      assertEquals("CANCELLING", run.state);

      run.state = "CANCELLED";
      assertFalse(s.cancel(ref), "a run that has ended is not cancelled again");
      assertEquals(1, service.calls("DELETE", ".*").size());
      assertFalse(s.cancel("airflow silo_reports_report run x"), "not ours");
    }
  }

  @Test
  void aRetriedSubmissionFindsTheRunItsFirstAttemptStarted() throws Exception {
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      jobs.create("r-lost", "silo_hourly", "{}");
      service.loseNextAnswers.set(1); // the run starts, its answer is lost: the SDK retries with the same token
      worker(s, LONG).round();
      List<AwsEndpoint.Call> starts = service.calls("POST", ".*/jobruns");
      assertEquals(2, starts.size(), "the SDK retried the 500");
      assertEquals(starts.get(0).body().path("clientToken"), starts.get(1).body().path("clientToken"));
      assertEquals(1, service.runs.size(), "one run for one job");
      assertEquals(JobStatus.SUBMITTED, jobs.find("r-lost").orElseThrow().status());

      // Submitting the same job again (a requeued job, a second worker) finds the same run too.
      Submitter.Run again = s.submit(jobs.find("r-lost").orElseThrow());
      assertEquals(jobs.find("r-lost").orElseThrow().submitRef(), again.ref());
      assertEquals(1, service.runs.size());
    }
  }

  @Test
  void aThrottledSubmissionLeavesTheJobQueuedSayingSo() {
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      jobs.create("throttled", "silo_hourly", "{}");
      service.throttleNext.set(100); // more than the SDK's own retries
      worker(s, LONG).round();
      assertEquals(JobStatus.PENDING, jobs.find("throttled").orElseThrow().status());
      String last = lastEvent("throttled");
      assertTrue(last.startsWith("PENDING: submission throttled by EMR Serverless application "
          + EmrServerlessStandIn.APPLICATION), last);
      assertTrue(last.contains("ThrottlingException (HTTP 429): Rate exceeded"), last);
      assertTrue(service.calls.size() >= 2, "the SDK retried throttling itself first: " + service.calls.size());
      assertTrue(service.runs.isEmpty());

      service.throttleNext.set(0);
      worker(s, LONG).round();
      assertEquals(JobStatus.SUBMITTED, jobs.find("throttled").orElseThrow().status(), "taken again, later");
    }
  }

  @Test
  void whatTheServiceRefusesFailsTheJobWithItsReason() {
    try (EmrServerlessSubmitter s = submitter("00fnosuchapp")) {
      jobs.create("nowhere", "silo_hourly", "{}");
      worker(s, LONG).round();
      ReportJob j = jobs.find("nowhere").orElseThrow();
      assertEquals(JobStatus.FAILED, j.status());
      assertTrue(j.errorMessage().contains("EMR Serverless refused StartJobRun on application 00fnosuchapp:"
          + " ResourceNotFoundException (HTTP 404): Application 00fnosuchapp does not exist."), j.errorMessage());
    }
    System.setProperty("aws.secretAccessKey", "not-the-secret");
    try (EmrServerlessSubmitter s = submitter(EmrServerlessStandIn.APPLICATION)) {
      jobs.create("badly-signed", "silo_hourly", "{}");
      worker(s, LONG).round();
      ReportJob j = jobs.find("badly-signed").orElseThrow();
      assertEquals(JobStatus.FAILED, j.status());
      assertTrue(j.errorMessage().contains("InvalidSignatureException (HTTP 403)"), j.errorMessage());
      assertFalse(j.errorMessage().contains("not-the-secret"));
    }
    assertTrue(service.runs.isEmpty());
  }

  /** The stand-in refuses what EMR Serverless refuses, so the tests above could fail. */
  @Test
  void theStandInRefusesUnsignedMalformedAndIncompleteRequests() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String runs = service.url() + "/applications/" + EmrServerlessStandIn.APPLICATION + "/jobruns";
    String body = "{\"clientToken\":\"t\",\"executionRoleArn\":\"" + ROLE + "\"}";
    HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(runs))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, unsigned.statusCode());
    assertEquals("MissingAuthenticationTokenException", unsigned.headers().firstValue("X-Amzn-ErrorType").orElse(""));

    // Signed, but the body is not sent as JSON, or lacks a required member: what the real SDK client meets.
    try (EmrServerlessClient client = EmrServerlessClient.builder().region(Region.EU_WEST_1)
        .endpointOverride(URI.create(service.url()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(AwsEndpoint.ACCESS_KEY, AwsEndpoint.SECRET_KEY)))
        .overrideConfiguration(o -> o.putHeader("Content-Type", "text/plain")).build()) {
      var e = assertThrows(software.amazon.awssdk.services.emrserverless.model.EmrServerlessException.class,
          () -> client.startJobRun(b -> b.applicationId(EmrServerlessStandIn.APPLICATION).clientToken("t")
              .executionRoleArn(ROLE)));
      assertEquals(415, e.statusCode());
    }
    try (EmrServerlessClient client = EmrServerlessClient.builder().region(Region.EU_WEST_1)
        .endpointOverride(URI.create(service.url()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(AwsEndpoint.ACCESS_KEY, AwsEndpoint.SECRET_KEY))).build()) {
      ValidationException missing = assertThrows(ValidationException.class,
          () -> client.startJobRun(b -> b.applicationId(EmrServerlessStandIn.APPLICATION).clientToken("t")));
      assertEquals(400, missing.statusCode());
      assertTrue(missing.awsErrorDetails().errorMessage().contains("'executionRoleArn'"), missing.getMessage());
      ValidationException badToken = assertThrows(ValidationException.class,
          () -> client.startJobRun(b -> b.applicationId(EmrServerlessStandIn.APPLICATION).clientToken("a/b")
              .executionRoleArn(ROLE)));
      assertTrue(badToken.awsErrorDetails().errorMessage().contains("'clientToken'"), badToken.getMessage());
      ValidationException noEntryPoint = assertThrows(ValidationException.class,
          () -> client.startJobRun(b -> b.applicationId(EmrServerlessStandIn.APPLICATION).clientToken("t")
              .executionRoleArn(ROLE).jobDriver(d -> d.sparkSubmit(sp -> sp.sparkSubmitParameters("--class x")))));
      assertTrue(noEntryPoint.awsErrorDetails().errorMessage().contains("'entryPoint'"), noEntryPoint.getMessage());
    }
    assertTrue(service.runs.isEmpty(), "nothing refused started a run");
    assertNotEquals(0, service.refusals.size());
  }

  @Test
  void theWorkersSettingsAreTheSubmittersAndNoOtherSubmitters() {
    WorkerConfig c = WorkerConfig.from(Settings.of(Map.of(
        "worker.submitter", "emr-serverless",
        "worker.emr-serverless.application-id", "00fapp",
        "worker.emr-serverless.execution-role-arn", ROLE,
        "worker.emr-serverless.artifacts", ARTIFACTS,
        "worker.emr-serverless.region", "eu-west-1",
        "worker.emr-serverless.spark-parameters", " --conf  spark.driver.memory=4g ",
        "db.password-secret-id", "rds/silo",
        "worker.emr.cluster-id", "j-IGNORED")));
    assertEquals(new EmrServerlessSubmitter.Settings("00fapp", ROLE, ARTIFACTS, "eu-west-1", null,
        Map.of("db", "rds/silo"), List.of("--conf", "spark.driver.memory=4g")), c.emrServerless());
    assertEquals(null, c.emr());
    assertEquals(null, c.local());
    assertEquals(null, c.airflow());
  }

  @Test
  void settingsThatCannotWorkAreRefusedNamingTheSetting() {
    var noApp = assertThrows(IllegalArgumentException.class, () -> new EmrServerlessSubmitter(
        new EmrServerlessSubmitter.Settings(null, ROLE, ARTIFACTS, "eu-west-1", null, Map.of(), List.of())));
    assertTrue(noApp.getMessage().contains("worker.emr-serverless.application-id"), noApp.getMessage());
    var badRole = assertThrows(IllegalArgumentException.class, () -> new EmrServerlessSubmitter(
        new EmrServerlessSubmitter.Settings("00fapp", "silo-reports-job", ARTIFACTS, "eu-west-1", null, Map.of(),
            List.of())));
    assertTrue(badRole.getMessage().contains("worker.emr-serverless.execution-role-arn"), badRole.getMessage());
    var noArtifacts = assertThrows(IllegalArgumentException.class, () -> new EmrServerlessSubmitter(
        new EmrServerlessSubmitter.Settings("00fapp", ROLE, "/tmp/x", "eu-west-1", null, Map.of(), List.of())));
    assertTrue(noArtifacts.getMessage().contains("worker.emr-serverless.artifacts"), noArtifacts.getMessage());
  }
}
