package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.ReportJob;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs each report as an Airflow DAG run through Airflow's stable REST API: {@code POST
 * <url>/api/v1/dags/<dag>/dagRuns} with {@code conf = {"job_id": ...}} (the DAG's report task reads the rest of the
 * request from the job row), basic authentication. The run id is the job's {@code submit_ref}; the run's state
 * ({@code GET .../dagRuns/<run>}) is reconciled with the job: a run that fails before its job is final ends the job
 * FAILED. A 429 or 503 answer leaves the job queued; a 409 (the run id exists: an earlier attempt got through) takes
 * that run as the job's.
 */
public final class AirflowSubmitter implements Submitter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern REF = Pattern.compile("^airflow (\\S+) run (\\S+)$");

  /** Where Airflow is: its base URL, the API's path ({@code /api/v1}), the DAG, and a user of its API. */
  public record Settings(String url, String apiPath, String dagId, String user, String password, Duration timeout) {}

  private final Settings settings;
  private final HttpClient http;

  public AirflowSubmitter(Settings settings) {
    if (settings.url() == null || !(settings.url().startsWith("http://") || settings.url().startsWith("https://"))) {
      throw new IllegalArgumentException("worker.submitter=airflow needs worker.airflow.url (http(s)://...), got '"
          + settings.url() + "'");
    }
    this.settings = settings;
    this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
  }

  /** The DAG run id of a job: one per job, so a retried trigger finds the run it already made. */
  static String runId(String jobId) {
    return "silo-report-" + jobId;
  }

  @Override
  public Run submit(ReportJob job) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("dag_run_id", runId(job.jobId()));
    body.putObject("conf").put("job_id", job.jobId());
    HttpResponse<String> r = call(HttpRequest.newBuilder(runsUri(null))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    int code = r.statusCode();
    if (code == 429 || code == 503) {
      throw new Throttled("Airflow answered HTTP " + code + detail(r), null);
    }
    if (code != 200 && code != 201 && code != 409) {
      throw new IllegalStateException("Airflow refused the DAG run of " + settings.dagId() + ": HTTP " + code
          + detail(r));
    }
    return new Run("airflow " + settings.dagId() + " run " + runId(job.jobId()), new CompletableFuture<>());
  }

  @Override
  public Optional<RunState> state(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches() || !m.group(1).equals(settings.dagId())) {
      return Optional.empty();
    }
    HttpResponse<String> r;
    try {
      r = call(HttpRequest.newBuilder(runsUri(m.group(2))).GET());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach Airflow: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking Airflow", e);
    }
    if (r.statusCode() == 404) {
      return Optional.of(new RunState(true, false, "Airflow has no DAG run " + m.group(2)));
    }
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Airflow answered HTTP " + r.statusCode() + detail(r));
    }
    String state;
    try {
      state = JSON.readTree(r.body()).path("state").asText("");
    } catch (IOException e) {
      throw new IllegalStateException("Airflow's answer is not JSON: " + e.getMessage(), e);
    }
    return switch (state) {
      case "success" -> Optional.of(new RunState(true, true, "Airflow DAG run success"));
      case "failed" -> Optional.of(new RunState(true, false, "Airflow DAG run failed (see its task logs)"));
      default -> Optional.of(RunState.going("Airflow DAG run " + state));
    };
  }

  private URI runsUri(String runId) {
    String base = settings.url().replaceAll("/+$", "") + settings.apiPath() + "/dags/"
        + URLEncoder.encode(settings.dagId(), StandardCharsets.UTF_8) + "/dagRuns";
    return URI.create(runId == null ? base : base + "/" + URLEncoder.encode(runId, StandardCharsets.UTF_8));
  }

  private HttpResponse<String> call(HttpRequest.Builder request) throws IOException, InterruptedException {
    request.timeout(settings.timeout()).header("Accept", "application/json");
    if (settings.user() != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (settings.user() + ":" + (settings.password() == null ? "" : settings.password()))
              .getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String detail(HttpResponse<String> r) {
    try {
      JsonNode n = JSON.readTree(r.body());
      String d = n.path("detail").asText(n.path("title").asText(""));
      return d.isEmpty() ? "" : ": " + d;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  @Override
  public String describe() {
    return "Airflow DAG " + settings.dagId() + " at " + URI.create(settings.url()).getHost();
  }
}
