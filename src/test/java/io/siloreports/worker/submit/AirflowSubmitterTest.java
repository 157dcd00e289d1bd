package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.siloreports.cli.WorkerConfig;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import io.siloreports.testing.MovableClock;
import io.siloreports.worker.ReportWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Airflow submitter through the worker against stand-ins of Airflow 2 ({@code /api/v1}, basic authentication),
 * Airflow 3 ({@code /api/v2}, JWT from {@code /auth/token}) and Amazon MWAA's InvokeRestApi in front of either
 * (SigV4), each following its published API document ({@link AirflowStandIn}, {@link MwaaStandIn} name them): a run
 * per job, its state reconciled with the job, throttling leaves the job queued, a missing or paused DAG fails the job
 * at once saying why, a job that times out has its run marked failed, tokens are renewed, wrong credentials say so.
 */
class AirflowSubmitterTest {
  private static final String DAG = "silo_reports_report";
  private static final Duration LONG = Duration.ofDays(1);
  private static final String REGION = "eu-west-1";
  /** Fixture secrets, listed in src/test/resources/test-secrets.txt: no test output may hold them. */
  static final String AIRFLOW_PASSWORD = "airflow-api-pass-1";
  static final String MWAA_SECRET = "mwaa-secret-key-1";

  /** The four ways the worker reaches Airflow. */
  enum Flavour { V1, V2, MWAA_AIRFLOW_2, MWAA_AIRFLOW_3 }

  @TempDir Path dir;
  private final MovableClock clock = new MovableClock(Instant.now());
  private AirflowStandIn airflow;
  private MwaaStandIn mwaa;
  private String airflowUrl;
  private String mwaaUrl;
  private ReportJobStore jobs;

  @BeforeEach
  void start() throws Exception {
    airflow = new AirflowStandIn(clock, 3600).user("ops", AIRFLOW_PASSWORD).dag(DAG, false);
    airflowUrl = airflow.start();
    mwaa = new MwaaStandIn(REGION, clock, airflow).credentials("AKIDTEST", MWAA_SECRET);
    mwaa.environments.put("reports-2", "2.10.3");
    mwaa.environments.put("reports-3", "3.0.6");
    mwaaUrl = mwaa.start();
    System.setProperty("aws.accessKeyId", "AKIDTEST");
    System.setProperty("aws.secretAccessKey", MWAA_SECRET);
    jobs = JobStores.sqlite(dir, clock, "test");
  }

  @AfterEach
  void stop() {
    airflow.close();
    mwaa.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private AirflowSubmitter submitter(Flavour f) {
    return submitter(f, "ops", AIRFLOW_PASSWORD);
  }

  private AirflowSubmitter submitter(Flavour f, String user, String password) {
    AirflowSubmitter.Settings s = switch (f) {
      case V1 -> settings(AirflowSubmitter.Api.V1, user, password, null);
      case V2 -> settings(AirflowSubmitter.Api.V2, user, password, null);
      case MWAA_AIRFLOW_2 -> settings(AirflowSubmitter.Api.MWAA, null, null, "reports-2");
      case MWAA_AIRFLOW_3 -> settings(AirflowSubmitter.Api.MWAA, null, null, "reports-3");
    };
    return new AirflowSubmitter(s, clock);
  }

  private AirflowSubmitter.Settings settings(AirflowSubmitter.Api api, String user, String password, String env) {
    return new AirflowSubmitter.Settings(api, airflowUrl, null, DAG, user, password, env, REGION, mwaaUrl,
        Duration.ofSeconds(5));
  }

  private ReportWorker worker(Submitter s, Duration submittedTimeout) {
    return ReportWorker.builder().jobs(jobs.as("worker")).submitter(s, 5).polling(Duration.ofMillis(10),
        Duration.ZERO).timeouts(LONG, submittedTimeout, LONG).clock(clock).build();
  }

  private static int apiVersion(Flavour f) {
    return f == Flavour.V1 || f == Flavour.MWAA_AIRFLOW_2 ? 1 : 2;
  }

  private String lastEvent(String jobId) {
    List<JobEvent> events = jobs.events(jobId);
    JobEvent e = events.get(events.size() - 1);
    return e.to() + (e.detail() == null ? "" : ": " + e.detail());
  }

  private List<JsonNode> triggers() {
    List<JsonNode> out = new ArrayList<>();
    airflow.calls.stream().filter(c -> c.method().equals("POST")).forEach(c -> out.add(c.body()));
    return out;
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void runsAreTriggeredFollowedAndReconciledWithTheirJobs(Flavour f) {
    ReportWorker worker = worker(submitter(f), LONG);
    jobs.create("r-1", "silo_hourly", "{\"format\":\"csv\"}");
    jobs.create("r-2", "silo_hourly", "{}");
    worker.round();
    assertEquals(1, airflow.count("GET", "/dags/" + DAG) - airflow.count("GET", "/dags/" + DAG + "/"),
        "one DAG check for two jobs");
    List<JsonNode> triggers = triggers();
    assertEquals(2, triggers.size());
    JsonNode first = triggers.get(0);
    assertEquals("silo-report-r-1", first.path("dag_run_id").asText());
    assertEquals("r-1", first.path("conf").path("job_id").asText());
    assertEquals(apiVersion(f) == 2, first.has("logical_date"), "v2 sends logical_date, v1 does not: " + first);
    assertTrue(first.path("logical_date").isNull() || first.path("logical_date").isMissingNode(), first.toString());
    assertTrue(airflow.calls.stream().allMatch(c -> c.version() == apiVersion(f)), "API v" + apiVersion(f));
    assertEquals("airflow " + DAG + " run silo-report-r-1", jobs.find("r-1").orElseThrow().submitRef());
    assertEquals(JobStatus.SUBMITTED, jobs.find("r-2").orElseThrow().status());

    airflow.schedule();
    worker.round();
    assertEquals("running", airflow.run(DAG, "silo-report-r-1").path("state").asText());
    assertEquals(JobStatus.SUBMITTED, jobs.find("r-1").orElseThrow().status(), "a running run waits");

    jobs.markProcessing("r-1"); // the DAG's report task took the job
    airflow.run(DAG, "silo-report-r-1").put("state", "failed");
    airflow.run(DAG, "silo-report-r-2").put("state", "success"); // ended without its job ever being taken
    worker.round();
    ReportJob failed = jobs.find("r-1").orElseThrow();
    assertEquals(JobStatus.FAILED, failed.status());
    assertTrue(failed.errorMessage().contains("Airflow DAG run silo-report-r-1 failed (see its task logs"),
        failed.errorMessage());
    ReportJob ended = jobs.find("r-2").orElseThrow();
    assertEquals(JobStatus.FAILED, ended.status());
    assertTrue(ended.errorMessage().contains("Airflow DAG run success"), ended.errorMessage());
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void aThrottledTriggerLeavesTheJobQueuedAndAnEarlierAttemptsRunIsTaken(Flavour f) {
    ReportWorker worker = worker(submitter(f), LONG);
    jobs.create("busy", "silo_hourly", "{}");
    airflow.throttleNext.set(1);
    worker.round();
    assertEquals(JobStatus.PENDING, jobs.find("busy").orElseThrow().status());
    assertTrue(lastEvent("busy").startsWith("PENDING: submission throttled by Airflow DAG " + DAG), lastEvent("busy"));
    assertTrue(lastEvent("busy").contains("HTTP 429: rate limited"), lastEvent("busy"));

    // an earlier attempt got through before the answer was lost: the trigger answers 409 and the run is the job's
    airflow.runs.put(DAG + "/silo-report-busy", JsonNodeFactory.instance.objectNode().put("dag_id", DAG)
        .put("dag_run_id", "silo-report-busy").put("state", "running"));
    worker.round();
    ReportJob j = jobs.find("busy").orElseThrow();
    assertEquals(JobStatus.SUBMITTED, j.status());
    assertEquals("airflow " + DAG + " run silo-report-busy", j.submitRef());
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void aMissingOrPausedDagFailsTheJobAtOnceSayingWhy(Flavour f) {
    ReportWorker worker = worker(submitter(f), LONG);
    airflow.dags.remove(DAG);
    jobs.create("no-dag", "silo_hourly", "{}");
    worker.round();
    ReportJob missing = jobs.find("no-dag").orElseThrow();
    assertEquals(JobStatus.FAILED, missing.status());
    String where = f.name().startsWith("MWAA") ? "MWAA environment reports-" + (apiVersion(f) + 1) + " (" + REGION + ")"
        : airflowUrl + "/api/v" + apiVersion(f);
    assertTrue(missing.errorMessage().contains("Airflow DAG " + DAG + " (" + where + "): Airflow has no DAG " + DAG
        + ": put deploy/airflow/silo_reports_dag.py"), missing.errorMessage());

    airflow.dag(DAG, true);
    jobs.create("paused", "silo_hourly", "{}");
    worker.round();
    ReportJob paused = jobs.find("paused").orElseThrow();
    assertEquals(JobStatus.FAILED, paused.status());
    assertTrue(paused.errorMessage().contains("DAG " + DAG + " is paused in Airflow: unpause it"),
        paused.errorMessage());
    assertTrue(triggers().isEmpty(), "nothing was triggered");

    airflow.dag(DAG, false); // unpaused: the next job goes at once (a refusal is not remembered)
    jobs.create("unpaused", "silo_hourly", "{}");
    worker.round();
    assertEquals(JobStatus.SUBMITTED, jobs.find("unpaused").orElseThrow().status());
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void aJobThatTimesOutHasItsRunMarkedFailed(Flavour f) {
    ReportWorker worker = worker(submitter(f), Duration.ofMinutes(10));
    jobs.create("slow", "silo_hourly", "{}");
    jobs.create("done-late", "silo_hourly", "{}");
    worker.round();
    airflow.schedule();
    airflow.run(DAG, "silo-report-done-late").put("state", "success");
    jobs.markProcessing("done-late");
    clock.advance(Duration.ofMinutes(11));
    worker.round();
    assertEquals(JobStatus.FAILED, jobs.find("slow").orElseThrow().status());
    assertEquals("failed", airflow.run(DAG, "silo-report-slow").path("state").asText(), "marked failed");
    List<AirflowStandIn.Call> patches = airflow.calls.stream().filter(c -> c.method().equals("PATCH")).toList();
    assertEquals(1, patches.size(), "only the unfinished run is marked: " + patches);
    assertEquals("{\"state\":\"failed\"}", patches.get(0).body().toString());
    assertEquals("/dags/" + DAG + "/dagRuns/silo-report-slow", patches.get(0).path());
  }

  @Test
  void airflow3TokensAreFetchedRenewedBeforeTheyExpireAndAfterA401() {
    AirflowSubmitter s = submitter(Flavour.V2);
    ReportWorker worker = worker(s, LONG);
    jobs.create("t-1", "silo_hourly", "{}");
    worker.round();
    assertEquals(1, airflow.tokensIssued.get(), "one token for the check and the trigger");
    assertTrue(airflow.calls.get(0).authorization().startsWith("Bearer "), airflow.calls.get(0).authorization());

    clock.advance(Duration.ofMinutes(59).plusSeconds(40)); // within the margin of its one-hour life
    assertTrue(s.state("airflow " + DAG + " run silo-report-t-1").orElseThrow().detail().contains("queued"));
    assertEquals(2, airflow.tokensIssued.get(), "renewed before it expired");

    airflow.rotateTokenKey(); // Airflow restarted with a new key: its tokens are refused
    assertTrue(s.state("airflow " + DAG + " run silo-report-t-1").isPresent());
    assertEquals(3, airflow.tokensIssued.get(), "renewed after the 401");
  }

  @Test
  void wrongCredentialsAreAClearErrorForEachFlavour() {
    jobs.create("v1-bad", "silo_hourly", "{}");
    worker(submitter(Flavour.V1, "ops", "wrong"), LONG).round();
    String v1 = jobs.find("v1-bad").orElseThrow().errorMessage();
    assertTrue(v1.contains("refused the credentials of worker.airflow.user 'ops' (HTTP 401: Unauthorized): check"
        + " worker.airflow.user and SILO_REPORTS_WORKER_AIRFLOW_PASSWORD, and that Airflow's [api] auth_backends"
        + " lists airflow.api.auth.backend.basic_auth"), v1);

    jobs.create("v2-bad", "silo_hourly", "{}");
    worker(submitter(Flavour.V2, "ops", "wrong"), LONG).round();
    String v2 = jobs.find("v2-bad").orElseThrow().errorMessage();
    assertTrue(v2.contains("refused the credentials of worker.airflow.user 'ops' at /auth/token (HTTP 401: Invalid"
        + " credentials)"), v2);

    System.setProperty("aws.secretAccessKey", "not-the-secret");
    jobs.create("mwaa-bad", "silo_hourly", "{}");
    worker(submitter(Flavour.MWAA_AIRFLOW_3), LONG).round();
    String m = jobs.find("mwaa-bad").orElseThrow().errorMessage();
    assertTrue(m.contains("MWAA refused the worker's AWS credentials for InvokeRestApi GET /dags/" + DAG
        + " (InvalidSignatureException: The request signature we calculated does not match"), m);
    for (String secret : List.of("wrong", "not-the-secret", AIRFLOW_PASSWORD, MWAA_SECRET)) {
      for (String msg : List.of(v1, v2, m)) {
        assertFalse(msg.contains(secret), "no secret in " + msg);
      }
    }
  }

  @Test
  void mwaaRefusalsSayWhatToFixAndItsThrottlingRequeues() {
    mwaa.deniedKeys.add("AKIDTEST");
    jobs.create("denied", "silo_hourly", "{}");
    worker(submitter(Flavour.MWAA_AIRFLOW_2), LONG).round();
    String denied = jobs.find("denied").orElseThrow().errorMessage();
    assertTrue(denied.contains("(MWAA environment reports-2 (eu-west-1)): MWAA denied InvokeRestApi GET /dags/" + DAG
        + " (AccessDeniedException: User is not authorized to perform: airflow:InvokeRestApi): the"
        + " worker's AWS identity needs airflow:InvokeRestApi on arn:aws:airflow:eu-west-1:<account>:role/reports-2/"),
        denied);
    mwaa.deniedKeys.clear();

    AirflowSubmitter.Settings gone = settings(AirflowSubmitter.Api.MWAA, null, null, "no-such-env");
    jobs.create("no-env", "silo_hourly", "{}");
    worker(new AirflowSubmitter(gone, clock), LONG).round();
    assertTrue(jobs.find("no-env").orElseThrow().errorMessage().contains("MWAA has no environment no-such-env in"
        + " eu-west-1 (ResourceNotFoundException: Environment no-such-env not found): check"
        + " worker.airflow.mwaa.environment"), jobs.find("no-env").orElseThrow().errorMessage());

    jobs.create("throttled", "silo_hourly", "{}");
    mwaa.throttleNext.set(1);
    ReportWorker worker = worker(submitter(Flavour.MWAA_AIRFLOW_2), LONG);
    worker.round();
    assertEquals(JobStatus.PENDING, jobs.find("throttled").orElseThrow().status());
    assertTrue(lastEvent("throttled").contains("MWAA throttled InvokeRestApi GET /dags/" + DAG
        + " (ThrottlingException: Rate exceeded)"),
        lastEvent("throttled"));
    worker.round();
    assertEquals(JobStatus.SUBMITTED, jobs.find("throttled").orElseThrow().status());
  }

  @Test
  void onMwaaRunIdsKeepPathsWithinInvokeRestApisSixtyFourCharacters() {
    AirflowSubmitter s = submitter(Flavour.MWAA_AIRFLOW_3);
    String shortId = "r-20261206-101500-0a1b2c3d";
    String longId = "sched-" + "x".repeat(100);
    assertEquals(shortId, s.runId(shortId), "the job id alone fits where silo-report-<id> does not");
    assertTrue(s.runId(longId).matches("sr-[0-9a-f]{16}"), s.runId(longId));
    assertEquals(s.runId(longId), s.runId(longId), "the same run id on every attempt");
    assertEquals("silo-report-" + longId, submitter(Flavour.V2).runId(longId), "no limit over HTTP");

    ReportWorker worker = worker(s, LONG);
    jobs.create(longId, "silo_hourly", "{}");
    worker.round();
    airflow.schedule();
    worker.round();
    assertEquals(JobStatus.SUBMITTED, jobs.find(longId).orElseThrow().status());
    assertEquals(longId, airflow.run(DAG, s.runId(longId)).path("conf").path("job_id").asText());
    assertTrue(mwaa.invocations.stream().allMatch(i -> i.path("Path").asText().length() <= 64), "" + mwaa.invocations);
    assertTrue(airflow.calls.stream().anyMatch(c -> c.method().equals("GET") && c.path().endsWith(s.runId(longId))),
        "the run's state was asked for");
  }

  @Test
  void theSettingsChooseTheFlavourAndTheOldKeysStillWork() {
    // what worked before worker.airflow.api existed: v1, with or without the explicit api-path
    for (Map<String, String> old : List.of(Map.of("worker.airflow.api-path", "/api/v1"), Map.<String, String>of())) {
      Map<String, String> keys = new HashMap<>(old);
      keys.putAll(Map.of("worker.submitter", "airflow", "worker.airflow.url", "http://airflow.example:8080",
          "worker.airflow.user", "ops", "worker.airflow.password", AIRFLOW_PASSWORD));
      AirflowSubmitter.Settings v1 = WorkerConfig.from(Settings.of(keys)).airflow();
      assertEquals(AirflowSubmitter.Api.V1, v1.api());
      assertEquals("Airflow DAG " + DAG + " (http://airflow.example:8080/api/v1)", new AirflowSubmitter(v1).describe());
    }
    AirflowSubmitter.Settings v2 = WorkerConfig.from(Settings.of(Map.of("worker.submitter", "airflow",
        "worker.airflow.api", "v2", "worker.airflow.url", "http://airflow.example:8080", "worker.airflow.user", "ops",
        "worker.airflow.password", AIRFLOW_PASSWORD))).airflow();
    assertEquals("Airflow DAG " + DAG + " (http://airflow.example:8080/api/v2)", new AirflowSubmitter(v2).describe());
    AirflowSubmitter.Settings m = WorkerConfig.from(Settings.of(Map.of("worker.submitter", "airflow",
        "worker.airflow.api", "mwaa", "worker.airflow.mwaa.environment", "reports", "worker.airflow.mwaa.region",
        "eu-central-1"))).airflow();
    assertEquals("Airflow DAG " + DAG + " (MWAA environment reports (eu-central-1))", new AirflowSubmitter(m).describe());

    IllegalArgumentException noPassword = assertThrows(
        IllegalArgumentException.class, () -> new AirflowSubmitter(settings(AirflowSubmitter.Api.V2, "ops", null,
            null)));
    assertTrue(noPassword.getMessage().contains("worker.airflow.api=v2 needs worker.airflow.user and"
        + " SILO_REPORTS_WORKER_AIRFLOW_PASSWORD"), noPassword.getMessage());
    IllegalArgumentException longDag = assertThrows(IllegalArgumentException.class,
        () -> new AirflowSubmitter(new AirflowSubmitter.Settings(AirflowSubmitter.Api.MWAA, null, null,
            "d".repeat(31), null, null, "reports-2", REGION, mwaaUrl, Duration.ofSeconds(5)), clock));
    assertTrue(longDag.getMessage().contains("is too long for MWAA environment reports-2"), longDag.getMessage());
    new AirflowSubmitter(new AirflowSubmitter.Settings(AirflowSubmitter.Api.MWAA, null, null, "d".repeat(30), null,
        null, "reports-2", REGION, mwaaUrl, Duration.ofSeconds(5)), clock); // 30 characters fit
  }

  @Test
  void theStandInsRefuseWhatAirflowRefuses() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String token = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
        URI.create(airflowUrl + "/auth/token")).header("Content-Type", "application/json").POST(HttpRequest
        .BodyPublishers.ofString("{\"username\":\"ops\",\"password\":\"" + AIRFLOW_PASSWORD + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).path("access_token").asText();
    String runs = airflowUrl + "/api/v2/dags/" + DAG + "/dagRuns";
    assertEquals(422, post(http, runs, "Bearer " + token, "application/json", "{\"dag_run_id\":\"a\"}"),
        "v2: logical_date is required");
    assertEquals(200, post(http, runs, "Bearer " + token, "application/json", "{\"dag_run_id\":\"a\","
        + "\"logical_date\":null}"));
    assertEquals(401, post(http, runs, null, "application/json", "{\"logical_date\":null}"), "v2: no token");
    assertEquals(404, post(http, airflowUrl + "/api/v2/dags/other/dagRuns", "Bearer " + token, "application/json",
        "{\"logical_date\":null}"), "v2: unknown DAG");
    String basic = "Basic " + Base64.getEncoder().encodeToString(("ops:" + AIRFLOW_PASSWORD).getBytes());
    String v1runs = airflowUrl + "/api/v1/dags/" + DAG + "/dagRuns";
    assertEquals(415, post(http, v1runs, basic, "text/plain", "{}"), "v1: JSON only");
    assertEquals(401, post(http, v1runs, "Basic b3BzOm5v", "application/json", "{}"), "v1: wrong password");
    assertEquals(200, post(http, v1runs, basic, "application/json", "{\"dag_run_id\":\"b\"}"));
    assertEquals(409, post(http, v1runs, basic, "application/json", "{\"dag_run_id\":\"b\"}"), "v1: a run id once");
    airflow.dag("paused_dag", true);
    post(http, airflowUrl + "/api/v1/dags/paused_dag/dagRuns", basic, "application/json", "{\"dag_run_id\":\"p\"}");
    airflow.schedule();
    assertEquals("queued", airflow.run("paused_dag", "p").path("state").asText(), "a paused DAG's run stays queued");
    assertNull(airflow.run(DAG, "never"));
  }

  private static int post(HttpClient http, String url, String auth, String type, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
