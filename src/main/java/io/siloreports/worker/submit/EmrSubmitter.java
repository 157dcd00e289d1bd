package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.EmrClientBuilder;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.AddJobFlowStepsResponse;
import software.amazon.awssdk.services.emr.model.CancelStepsInfo;
import software.amazon.awssdk.services.emr.model.CancelStepsRequestStatus;
import software.amazon.awssdk.services.emr.model.EmrException;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.HadoopJarStepConfig;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.model.StepCancellationOption;
import software.amazon.awssdk.services.emr.model.StepConfig;
import software.amazon.awssdk.services.emr.model.StepState;

/**
 * Runs each report as an EMR step ({@code AddJobFlowSteps} with the AWS SDK): {@code command-runner.jar
 * spark-submit --deploy-mode cluster ... silo-reports-shaded.jar report --config emr.properties --job-id <id>}, the
 * same step {@code deploy/silo_reports_steps.py} builds for {@code add-steps.sh} and the Airflow DAGs (a test holds
 * them equal). The run reads its request from the job row. The step id is the job's {@code submit_ref}; its state
 * ({@code DescribeStep}) is reconciled with the job: a step that fails, or is cancelled, before its job is final
 * ends the job FAILED with the step's reason. EMR's throttling answers, once the SDK's own retries are spent, leave
 * the job queued. The step of a job that timed out is cancelled ({@code CancelSteps}, see {@link #cancel}).
 */
public final class EmrSubmitter implements Submitter, AutoCloseable {
  private static final Pattern REF = Pattern.compile("^emr (\\S+) step (\\S+)$");

  /**
   * Where and how steps run.
   *
   * @param artifacts {@code s3://bucket/prefix} holding silo-reports-shaded.jar and emr.properties
   * @param secretIds Secrets Manager ids of the passwords ({@code db}, {@code jobstore}), passed as settings
   * @param sparkOptions more spark-submit options ({@code --driver-memory 4g}), before the jar
   */
  public record Settings(String clusterId, String artifacts, String region, String endpoint,
      Map<String, String> secretIds, List<String> sparkOptions) {}

  private final Settings settings;
  private final EmrClient emr;

  public EmrSubmitter(Settings settings) {
    if (settings.clusterId() == null || settings.clusterId().isBlank()) {
      throw new IllegalArgumentException("worker.submitter=emr needs worker.emr.cluster-id (j-...)");
    }
    ClusterReportRun.requireArtifacts("emr", "worker.emr.artifacts", settings.artifacts());
    this.settings = settings;
    EmrClientBuilder b = EmrClient.builder();
    if (settings.region() != null) {
      b.region(Region.of(settings.region()));
    }
    if (settings.endpoint() != null) {
      b.endpointOverride(URI.create(settings.endpoint()));
    }
    this.emr = b.build();
  }

  /** The step's arguments after {@code command-runner.jar}, as deploy/silo_reports_steps.py emr_step builds them. */
  public static List<String> stepArgs(String artifacts, String jobId, Map<String, String> secretIds,
      List<String> sparkOptions) {
    List<String> args = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster", "--name",
        "silo-reports-report", "--class", ClusterReportRun.MAIN_CLASS,
        "--files", ClusterReportRun.artifact(artifacts, ClusterReportRun.CONFIG),
        "--conf", ClusterReportRun.UTC_SESSIONS, "--conf", "spark.yarn.maxAppAttempts=1"));
    args.addAll(sparkOptions);
    args.add(ClusterReportRun.artifact(artifacts, ClusterReportRun.JAR));
    args.addAll(ClusterReportRun.jobArguments(jobId, secretIds));
    return args;
  }

  @Override
  public Run submit(ReportJob job) throws Exception {
    StepConfig step = StepConfig.builder()
        .name("silo-reports report --job-id " + job.jobId())
        .actionOnFailure(ActionOnFailure.CONTINUE) // a failed report must not stop the cluster
        .hadoopJarStep(HadoopJarStepConfig.builder().jar("command-runner.jar")
            .args(stepArgs(settings.artifacts(), job.jobId(), settings.secretIds(), settings.sparkOptions())).build())
        .build();
    AddJobFlowStepsResponse r;
    try {
      r = emr.addJobFlowSteps(b -> b.jobFlowId(settings.clusterId()).steps(step));
    } catch (SdkException e) {
      if (e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a && a.isThrottlingException()) {
        throw new Throttled("EMR throttled AddJobFlowSteps: " + message(e), e);
      }
      throw new IllegalStateException("EMR refused AddJobFlowSteps on " + settings.clusterId() + ": " + message(e), e);
    }
    return new Run("emr " + settings.clusterId() + " step " + r.stepIds().get(0), new CompletableFuture<>());
  }

  @Override
  public Optional<RunState> state(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(state(describe(m.group(1), m.group(2))));
  }

  private Step describe(String clusterId, String stepId) {
    try {
      return emr.describeStep(b -> b.clusterId(clusterId).stepId(stepId)).step();
    } catch (SdkException e) {
      throw new IllegalStateException("EMR DescribeStep " + stepId + ": " + message(e), e);
    }
  }

  private static RunState state(Step step) {
    StepState state = step.status().state();
    return switch (state) {
      case PENDING, CANCEL_PENDING, RUNNING -> RunState.going("EMR step " + state);
      case COMPLETED -> new RunState(true, true, "EMR step COMPLETED");
      default -> new RunState(true, false, "EMR step " + state + failure(step.status().failureDetails()));
    };
  }

  /**
   * Cancels the step ({@code CancelSteps}) with {@code TERMINATE_PROCESS}: a PENDING step never starts, and a
   * RUNNING one gets SIGKILL for spark-submit and every process it started (EMR's documented meaning;
   * {@code SEND_INTERRUPT} only sends SIGTERM, and Spark 3.5's YARN client kills its application only when a
   * launcher asks, not on a signal). In cluster deploy mode the driver is a YARN container that neither option
   * reaches: it runs to its end, and can no longer complete its job, which is FAILED. False when the step had
   * already ended; true when it is being cancelled already.
   */
  @Override
  public boolean cancel(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref);
    if (m == null || !m.matches()) {
      return false;
    }
    String clusterId = m.group(1);
    String stepId = m.group(2);
    CancelStepsInfo info;
    try {
      info = emr.cancelSteps(b -> b.clusterId(clusterId).stepIds(stepId)
          .stepCancellationOption(StepCancellationOption.TERMINATE_PROCESS)).cancelStepsInfoList().stream()
          .filter(i -> stepId.equals(i.stepId())).findFirst().orElse(null);
    } catch (SdkException e) {
      throw new IllegalStateException("EMR refused CancelSteps of " + stepId + ": " + message(e), e);
    }
    if (info != null && info.status() == CancelStepsRequestStatus.SUBMITTED) {
      return true;
    }
    Step step = describe(clusterId, stepId);
    if (step.status().state() == StepState.CANCEL_PENDING) {
      return true; // already being cancelled
    }
    RunState now = state(step);
    if (now.ended()) {
      return false; // nothing left to stop
    }
    throw new IllegalStateException("EMR did not cancel step " + stepId + " (" + now.detail() + ")"
        + (info == null || info.reason() == null ? "" : ": " + info.reason()));
  }

  private static String failure(FailureDetails f) {
    if (f == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    if (f.reason() != null) {
      parts.add(f.reason());
    }
    if (f.message() != null) {
      parts.add(f.message());
    }
    if (f.logFile() != null) {
      parts.add("log " + f.logFile());
    }
    return parts.isEmpty() ? "" : ": " + String.join("; ", parts);
  }

  private static String message(SdkException e) {
    if (e instanceof EmrException ee && ee.awsErrorDetails() != null) {
      return ee.awsErrorDetails().errorCode() + ": " + ee.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }

  @Override
  public String describe() {
    return "EMR cluster " + settings.clusterId();
  }

  @Override
  public void close() {
    emr.close();
  }
}
