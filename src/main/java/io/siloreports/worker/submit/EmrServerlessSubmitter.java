package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClient;
import software.amazon.awssdk.services.emrserverless.EmrServerlessClientBuilder;
import software.amazon.awssdk.services.emrserverless.model.JobRun;
import software.amazon.awssdk.services.emrserverless.model.StartJobRunRequest;
import software.amazon.awssdk.services.emrserverless.model.StartJobRunResponse;

/**
 * Runs each report as an EMR Serverless job run ({@code StartJobRun} with the AWS SDK) on an existing Spark
 * application ({@code deploy/emr-serverless/}): the shaded jar as the entry point with the arguments an EMR step
 * gives it ({@code report --config emr.properties --job-id <id>}, passwords by secret id), the properties file
 * shipped with {@code --files}. The run is named {@code silo-reports-report-<job id>} and its idempotency token is
 * derived from the job id, so a submission retried after a lost answer finds the run the first one started instead of
 * starting a second. The run id is the job's {@code submit_ref}; its state ({@code GetJobRun}) is reconciled with the
 * job like an EMR step's, and a timed-out job's run is cancelled ({@code CancelJobRun}). Throttling answers, once the
 * SDK's own retries are spent, leave the job queued.
 */
public final class EmrServerlessSubmitter implements Submitter, AutoCloseable {
  private static final Pattern REF = Pattern.compile("^emr-serverless (\\S+) run (\\S+)$");
  private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-zA-Z-]*:iam::\\d{12}:role/.+");

  /**
   * Where and how job runs start.
   *
   * @param applicationId the EMR Serverless application (type SPARK, an EMR 7 release)
   * @param executionRoleArn the IAM role the run works as (S3, Secrets Manager); the worker needs iam:PassRole on it
   * @param artifacts {@code s3://bucket/prefix} holding silo-reports-shaded.jar and emr.properties
   * @param secretIds Secrets Manager ids of the passwords ({@code db}, {@code jobstore}), passed as settings
   * @param sparkParameters more spark-submit parameters ({@code --conf spark.driver.memory=4g}), one word each
   */
  public record Settings(String applicationId, String executionRoleArn, String artifacts, String region,
      String endpoint, Map<String, String> secretIds, List<String> sparkParameters) {}

  private final Settings settings;
  private final EmrServerlessClient client;

  public EmrServerlessSubmitter(Settings settings) {
    if (settings.applicationId() == null || settings.applicationId().isBlank()) {
      throw new IllegalArgumentException("worker.submitter=emr-serverless needs"
          + " worker.emr-serverless.application-id (the id `aws emr-serverless create-application` printed)");
    }
    if (settings.executionRoleArn() == null || !ROLE_ARN.matcher(settings.executionRoleArn()).matches()) {
      throw new IllegalArgumentException("worker.submitter=emr-serverless needs"
          + " worker.emr-serverless.execution-role-arn (arn:aws:iam::<account>:role/<name>), got '"
          + settings.executionRoleArn() + "'");
    }
    ClusterReportRun.requireArtifacts("emr-serverless", "worker.emr-serverless.artifacts", settings.artifacts());
    this.settings = settings;
    EmrServerlessClientBuilder b = EmrServerlessClient.builder();
    if (settings.region() != null) {
      b.region(Region.of(settings.region()));
    }
    if (settings.endpoint() != null) {
      b.endpointOverride(URI.create(settings.endpoint()));
    }
    this.client = b.build();
  }

  /** The job run's name: who it is for, in EMR Serverless' console and list. */
  public static String runName(String jobId) {
    return "silo-reports-report-" + jobId;
  }

  /**
   * The idempotency token of a job's run: the SHA-256 of its job id in hex, exactly the API's 64 characters of
   * {@code [A-Za-z0-9._-]} for any job id (job ids may be 128 long), and one per job.
   */
  public static String clientToken(String jobId) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(("silo-reports-report/" + jobId).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The spark-submit parameters of every run: the main class, the properties file, UTC sessions, then the extra. */
  static String sparkSubmitParameters(String artifacts, List<String> extra) {
    List<String> words = new ArrayList<>(List.of("--class", ClusterReportRun.MAIN_CLASS,
        "--files", ClusterReportRun.artifact(artifacts, ClusterReportRun.CONFIG),
        "--conf", ClusterReportRun.UTC_SESSIONS));
    words.addAll(extra);
    return String.join(" ", words);
  }

  /** The StartJobRun request of a job, without I/O. */
  StartJobRunRequest request(String jobId) {
    return StartJobRunRequest.builder()
        .applicationId(settings.applicationId())
        .executionRoleArn(settings.executionRoleArn())
        .clientToken(clientToken(jobId))
        .name(runName(jobId))
        .retryPolicy(r -> r.maxAttempts(1)) // a report never runs twice, like the EMR step's one YARN attempt
        .jobDriver(d -> d.sparkSubmit(s -> s
            .entryPoint(ClusterReportRun.artifact(settings.artifacts(), ClusterReportRun.JAR))
            .entryPointArguments(ClusterReportRun.jobArguments(jobId, settings.secretIds()))
            .sparkSubmitParameters(sparkSubmitParameters(settings.artifacts(), settings.sparkParameters()))))
        .build();
  }

  @Override
  public Run submit(ReportJob job) throws Exception {
    StartJobRunResponse r;
    try {
      r = client.startJobRun(request(job.jobId()));
    } catch (SdkException e) {
      if (e instanceof AwsServiceException a && a.isThrottlingException()) {
        throw new Throttled("EMR Serverless throttled StartJobRun: " + message(e), e);
      }
      throw new IllegalStateException("EMR Serverless refused StartJobRun on application "
          + settings.applicationId() + ": " + message(e), e);
    }
    return new Run("emr-serverless " + settings.applicationId() + " run " + r.jobRunId(), new CompletableFuture<>());
  }

  @Override
  public Optional<RunState> state(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(state(jobRun(m.group(1), m.group(2))));
  }

  /** SUCCESS, FAILED and CANCELLED have ended (with stateDetails as the reason); every other state is still going. */
  static RunState state(JobRun run) {
    String name = "EMR Serverless job run " + run.stateAsString();
    String details = run.stateDetails() == null || run.stateDetails().isBlank() ? "" : ": " + run.stateDetails();
    return switch (run.state()) {
      case SUCCESS -> new RunState(true, true, name);
      case FAILED, CANCELLED -> new RunState(true, false, name + details);
      default -> RunState.going(name); // SUBMITTED, PENDING, SCHEDULED, RUNNING, QUEUED, CANCELLING, or newer
    };
  }

  /**
   * Cancels the run ({@code CancelJobRun}, no grace period: its job has already ended FAILED); false when it had
   * already ended.
   */
  @Override
  public boolean cancel(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches() || state(jobRun(m.group(1), m.group(2))).ended()) {
      return false;
    }
    try {
      client.cancelJobRun(b -> b.applicationId(m.group(1)).jobRunId(m.group(2)));
      return true;
    } catch (SdkException e) {
      throw new IllegalStateException("EMR Serverless refused CancelJobRun of " + m.group(2) + ": " + message(e), e);
    }
  }

  private JobRun jobRun(String applicationId, String runId) {
    try {
      return client.getJobRun(b -> b.applicationId(applicationId).jobRunId(runId)).jobRun();
    } catch (SdkException e) {
      throw new IllegalStateException("EMR Serverless GetJobRun " + runId + ": " + message(e), e);
    }
  }

  private static String message(SdkException e) {
    if (e instanceof AwsServiceException a && a.awsErrorDetails() != null) {
      return a.awsErrorDetails().errorCode() + " (HTTP " + a.statusCode() + "): " + a.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }

  @Override
  public String describe() {
    return "EMR Serverless application " + settings.applicationId();
  }

  @Override
  public void close() {
    client.close();
  }
}
