package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.EmrClientBuilder;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.AddJobFlowStepsResponse;
import software.amazon.awssdk.services.emr.model.EmrException;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.HadoopJarStepConfig;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.model.StepConfig;
import software.amazon.awssdk.services.emr.model.StepState;

/**
 * Runs each report as an EMR step ({@code AddJobFlowSteps} with the AWS SDK): {@code command-runner.jar
 * spark-submit --deploy-mode cluster ... silo-reports-shaded.jar report --config emr.properties --job-id <id>}, the
 * same step {@code deploy/silo_reports_steps.py} builds for {@code add-steps.sh} and the Airflow DAGs (a test holds
 * them equal). The run reads its request from the job row. The step id is the job's {@code submit_ref}; its state
 * ({@code DescribeStep}) is reconciled with the job: a step that fails, or is cancelled, before its job is final
 * ends the job FAILED with the step's reason. EMR's throttling answers, once the SDK's own retries are spent, leave
 * the job queued.
 */
public final class EmrSubmitter implements Submitter, AutoCloseable {
  private static final Pattern REF = Pattern.compile("^emr (\\S+) step (\\S+)$");
  static final String MAIN_CLASS = "io.siloreports.cli.Main";
  static final String JAR = "silo-reports-shaded.jar";
  static final String CONFIG = "emr.properties";

  /**
   * Where and how steps run.
   *
   * @param artifacts {@code s3://bucket/prefix} holding {@value #JAR} and {@value #CONFIG}
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
    if (settings.artifacts() == null || !settings.artifacts().startsWith("s3://")) {
      throw new IllegalArgumentException("worker.submitter=emr needs worker.emr.artifacts: the s3://bucket/prefix of "
          + JAR + " and " + CONFIG + ", got '" + settings.artifacts() + "'");
    }
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
    String base = artifacts.endsWith("/") ? artifacts.substring(0, artifacts.length() - 1) : artifacts;
    List<String> args = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster", "--name",
        "silo-reports-report", "--class", MAIN_CLASS, "--files", base + "/" + CONFIG,
        "--conf", "spark.sql.session.timeZone=UTC", "--conf", "spark.yarn.maxAppAttempts=1"));
    args.addAll(sparkOptions);
    args.addAll(List.of(base + "/" + JAR, "report", "--config", CONFIG));
    new TreeMap<>(secretIds).forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        args.addAll(List.of("--conf", k + ".password-secret-id=" + v));
      }
    });
    args.addAll(List.of("--job-id", jobId));
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
    Step step;
    try {
      step = emr.describeStep(b -> b.clusterId(m.group(1)).stepId(m.group(2))).step();
    } catch (SdkException e) {
      throw new IllegalStateException("EMR DescribeStep " + m.group(2) + ": " + message(e), e);
    }
    StepState state = step.status().state();
    return switch (state) {
      case PENDING, CANCEL_PENDING, RUNNING -> Optional.of(RunState.going("EMR step " + state));
      case COMPLETED -> Optional.of(new RunState(true, true, "EMR step COMPLETED"));
      default -> Optional.of(new RunState(true, false, "EMR step " + state + failure(step.status().failureDetails())));
    };
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
