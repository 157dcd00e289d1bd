package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.ReportJob;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Runs each report as an Airflow DAG run through Airflow's REST API ({@link AirflowApi}: Airflow 2's v1, Airflow 3's
 * v2, or either through Amazon MWAA): {@code POST /dags/<dag>/dagRuns} with {@code conf = {"job_id": ...}} (the DAG's
 * report task reads the rest of the request from the job row; v2 also needs {@code "logical_date": null}). Before
 * triggering it reads the DAG ({@code GET /dags/<dag>}, remembered for {@value #DAG_CHECK_SECONDS} s once it is fine):
 * a DAG Airflow does not have, or has paused (its runs would stay queued until the job timed out), fails the job at
 * once saying what to do. The run id is the job's {@code submit_ref}; the run's state ({@code GET
 * .../dagRuns/<run>}) is reconciled with the job. A 429 or 503 answer leaves the job queued; a 409 (the run id exists:
 * an earlier attempt got through) takes that run as the job's. A job that times out has its run marked failed
 * ({@code PATCH .../dagRuns/<run> {"state": "failed"}}), which makes Airflow kill its running task.
 */
public final class AirflowSubmitter implements Submitter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REF = Pattern.compile("^airflow (\\S+) run (\\S+)$");
  static final int DAG_CHECK_SECONDS = 60;

  /** Which Airflow API the worker speaks ({@code worker.airflow.api}). */
  public enum Api { V1, V2, MWAA }

  /**
   * Where Airflow is and who calls it.
   *
   * @param url base URL of the webserver (v1) or API server (v2); unused for MWAA
   * @param apiPath path of the REST API under {@code url}; null: {@code /api/v1} or {@code /api/v2}
   * @param mwaaRegion null: the AWS default region chain
   * @param mwaaEndpoint null: MWAA's own endpoints in the region
   */
  public record Settings(Api api, String url, String apiPath, String dagId, String user, String password,
      String mwaaEnvironment, String mwaaRegion, String mwaaEndpoint, Duration timeout) {}

  private final String dagId;
  private final AirflowApi api;
  private final Clock clock;
  private volatile Instant dagFineUntil = Instant.MIN;

  public AirflowSubmitter(Settings settings) {
    this(settings, Clock.systemUTC());
  }

  AirflowSubmitter(Settings settings, Clock clock) {
    this(settings.dagId(), transport(settings, clock), clock);
  }

  AirflowSubmitter(String dagId, AirflowApi api, Clock clock) {
    this.dagId = dagId;
    this.api = api;
    this.clock = clock;
    if (dagPath().length() + "/dagRuns/".length() + shortRunId("x").length() > api.maxPathLength()) {
      throw new IllegalArgumentException("worker.airflow.dag-id '" + dagId + "' is too long for " + api.where()
          + ": its API paths hold at most " + api.maxPathLength() + " characters");
    }
  }

  private static AirflowApi transport(Settings s, Clock clock) {
    if (s.api() == Api.MWAA) {
      if (s.mwaaEnvironment() == null || s.mwaaEnvironment().isBlank()) {
        throw new IllegalArgumentException("worker.airflow.api=mwaa needs worker.airflow.mwaa.environment");
      }
      String region = s.mwaaRegion() != null ? s.mwaaRegion()
          : DefaultAwsRegionProviderChain.builder().build().getRegion().id();
      return new MwaaRestApi(s.mwaaEnvironment(), region, s.mwaaEndpoint(), s.timeout(),
          DefaultCredentialsProvider.builder().build(), clock);
    }
    String flag = "worker.airflow.api=" + s.api().name().toLowerCase();
    if (s.url() == null || !(s.url().startsWith("http://") || s.url().startsWith("https://"))) {
      throw new IllegalArgumentException(flag + " needs worker.airflow.url (http(s)://...), got '" + s.url() + "'");
    }
    if (s.api() == Api.V2 && (s.user() == null || s.password() == null)) {
      throw new IllegalArgumentException(flag + " needs worker.airflow.user and SILO_REPORTS_WORKER_AIRFLOW_PASSWORD:"
          + " Airflow 3 hands out API tokens for a user's credentials at /auth/token");
    }
    return new AirflowHttpApi(s.api() == Api.V2 ? 2 : 1, s.url(), s.apiPath(), s.user(), s.password(), s.timeout(),
        clock);
  }

  /**
   * The DAG run id of a job: one per job, so a retried trigger finds the run it already made. {@code
   * silo-report-<job id>}, unless the API limits its paths (MWAA: 64 characters): then the job id alone, or
   * {@code sr-<first 16 hex digits of its SHA-256>} for a job id too long for that.
   */
  String runId(String jobId) {
    for (String candidate : new String[] {"silo-report-" + jobId, jobId}) {
      if (runPath(candidate).length() <= api.maxPathLength()) {
        return candidate;
      }
    }
    return shortRunId(jobId);
  }

  private static String shortRunId(String jobId) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(jobId.getBytes(StandardCharsets.UTF_8));
      return "sr-" + HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Run submit(ReportJob job) throws Exception {
    try {
      checkDag();
      String run = runId(job.jobId());
      ObjectNode body = JSON.createObjectNode().put("dag_run_id", run);
      body.putObject("conf").put("job_id", job.jobId());
      if (api.version() >= 2) {
        body.putNull("logical_date"); // v2 requires the field; null: a run not tied to a date
      }
      AirflowApi.Reply r = api.call("POST", dagPath() + "/dagRuns", body);
      throwIfBusy(r);
      if (!r.ok() && r.status() != 409) {
        throw new IllegalStateException(refusal("the DAG run of " + dagId, r));
      }
      return new Run(ref(run), new CompletableFuture<>());
    } catch (AirflowApi.Busy e) {
      throw new Throttled(e.getMessage(), e);
    }
  }

  /** Fails (the job FAILED) when Airflow has no such DAG or has it paused; remembers a fine DAG for a while. */
  private void checkDag() throws IOException, InterruptedException, Throttled {
    Instant now = clock.instant();
    if (now.isBefore(dagFineUntil)) {
      return;
    }
    AirflowApi.Reply r = api.call("GET", dagPath(), null);
    throwIfBusy(r);
    if (r.status() == 404) {
      throw new IllegalStateException("Airflow has no DAG " + dagId + ": put"
          + " deploy/airflow/silo_reports_dag.py and deploy/silo_reports_steps.py in its DAG folder, or set"
          + " worker.airflow.dag-id");
    }
    if (!r.ok()) {
      throw new IllegalStateException(refusal("reading DAG " + dagId, r));
    }
    if (r.body().path("is_paused").asBoolean(false)) {
      throw new IllegalStateException("DAG " + dagId + " is paused in Airflow: unpause it"
          + " (`airflow dags unpause " + dagId + "` or its toggle in the UI); a paused DAG's runs stay queued");
    }
    if (r.body().path("is_stale").asBoolean(false) || !r.body().path("is_active").asBoolean(true)) {
      throw new IllegalStateException("Airflow no longer finds the file of DAG " + dagId
          + ": put deploy/airflow/silo_reports_dag.py back in its DAG folder");
    }
    dagFineUntil = now.plusSeconds(DAG_CHECK_SECONDS);
  }

  private static void throwIfBusy(AirflowApi.Reply r) throws Throttled {
    if (r.status() == 429 || r.status() == 503) {
      throw new Throttled("Airflow answered HTTP " + r.status() + (r.detail().isEmpty() ? "" : ": " + r.detail()),
          null);
    }
  }

  @Override
  public Optional<RunState> state(String ref) {
    Optional<String> run = runOf(ref);
    if (run.isEmpty()) {
      return Optional.empty();
    }
    AirflowApi.Reply r = callOrThrow("GET", runPath(run.get()), null);
    if (r.status() == 404) {
      return Optional.of(new RunState(true, false, "Airflow has no DAG run " + run.get() + " of " + dagId));
    }
    if (!r.ok()) {
      throw new IllegalStateException(refusal("reading DAG run " + run.get(), r));
    }
    String state = r.body().path("state").asText("");
    return switch (state) { // DagRunState, the same four in v1 and v2
      case "success" -> Optional.of(new RunState(true, true, "Airflow DAG run success"));
      case "failed" -> Optional.of(new RunState(true, false, "Airflow DAG run " + run.get() + " failed (see its task"
          + " logs in Airflow)"));
      default -> Optional.of(RunState.going("Airflow DAG run " + state));
    };
  }

  /** Marks a DAG run that has not ended failed; Airflow then kills its running task (and the task's on_kill). */
  @Override
  public boolean cancel(String ref) {
    Optional<String> run = runOf(ref);
    if (run.isEmpty()) {
      return false;
    }
    AirflowApi.Reply now = callOrThrow("GET", runPath(run.get()), null);
    String state = now.body().path("state").asText("");
    if (now.status() == 404 || state.equals("success") || state.equals("failed")) {
      return false; // nothing left running
    }
    AirflowApi.Reply r = callOrThrow("PATCH", runPath(run.get()), JSON.createObjectNode().put("state", "failed"));
    if (r.status() == 404) {
      return false;
    }
    if (!r.ok()) {
      throw new IllegalStateException(refusal("marking DAG run " + run.get() + " failed", r));
    }
    return true;
  }

  private AirflowApi.Reply callOrThrow(String method, String path, JsonNode body) {
    try {
      return api.call(method, path, body);
    } catch (IOException | AirflowApi.Busy e) {
      throw new IllegalStateException("cannot reach Airflow (" + api.where() + "): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Airflow", e);
    }
  }

  private Optional<String> runOf(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    return m != null && m.matches() && m.group(1).equals(dagId) ? Optional.of(m.group(2)) : Optional.empty();
  }

  private String ref(String runId) {
    return "airflow " + dagId + " run " + runId;
  }

  private String dagPath() {
    return "/dags/" + URLEncoder.encode(dagId, StandardCharsets.UTF_8);
  }

  private String runPath(String runId) {
    return dagPath() + "/dagRuns/" + URLEncoder.encode(runId, StandardCharsets.UTF_8);
  }

  /** Airflow's refusal in one line, with what a 401/403 needs. */
  private String refusal(String what, AirflowApi.Reply r) {
    String hint = r.status() == 403 ? ": the API user needs a role that may read DAG " + dagId + " and create and"
        + " edit its DAG runs (Op, or User with that DAG)" : "";
    return "Airflow refused " + what + ": HTTP " + r.status()
        + (r.detail().isEmpty() ? "" : " " + r.detail()) + hint;
  }

  @Override
  public String describe() {
    return "Airflow DAG " + dagId + " (" + api.where() + ")";
  }
}
