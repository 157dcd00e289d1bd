package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import io.siloreports.worker.ReportWorker;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.model.EmrException;

/**
 * A timed-out job's EMR step is cancelled ({@code CancelSteps} with {@code TERMINATE_PROCESS}), through the worker and
 * the real AWS SDK client, against {@link EmrStepsStandIn} (Amazon EMR 2009-03-31 as boto/botocore's
 * {@code botocore/data/emr/2009-03-31/service-2.json} defines it, SigV4 checked by {@link AwsEndpoint}); a step that
 * has already ended is left alone.
 */
class EmrStepCancelTest {
  private static final Duration LONG = Duration.ofDays(1);
  @TempDir Path dir;
  private EmrStepsStandIn emr;
  private ReportJobStore jobs;

  @BeforeEach
  void start() throws Exception {
    emr = new EmrStepsStandIn();
    System.setProperty("aws.accessKeyId", AwsEndpoint.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", AwsEndpoint.SECRET_KEY);
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    emr.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private EmrSubmitter submitter() {
    return new EmrSubmitter(new EmrSubmitter.Settings(EmrStepsStandIn.CLUSTER, "s3://artifacts/silo-reports",
        "eu-west-1", emr.url(), Map.of("db", "rds/silo"), List.of()));
  }

  @Test
  void aTimedOutJobsStepIsCancelledWithTerminateProcess() throws Exception {
    try (EmrSubmitter s = submitter()) {
      ReportWorker worker = ReportWorker.builder().jobs(jobs.as("worker")).submitter(s, 5)
          .polling(Duration.ofMillis(10), Duration.ZERO).timeouts(LONG, Duration.ofMillis(300), LONG).build();
      jobs.create("slow", "silo_hourly", "{}");
      jobs.create("queued-behind", "silo_hourly", "{}");
      worker.round();
      assertEquals(2, emr.steps.size());
      emr.steps.get("s-1").state = "RUNNING"; // s-2 is still PENDING behind other steps
      Thread.sleep(400);
      worker.round();

      assertEquals(JobStatus.FAILED, jobs.find("slow").orElseThrow().status());
      assertEquals(JobStatus.FAILED, jobs.find("queued-behind").orElseThrow().status());
      List<AwsEndpoint.Call> cancels = emr.calls.stream()
          .filter(c -> "ElasticMapReduce.CancelSteps".equals(c.target())).toList();
      assertEquals(2, cancels.size(), "one CancelSteps per timed-out job");
      for (AwsEndpoint.Call c : cancels) {
        JsonNode body = c.body();
        assertEquals(EmrStepsStandIn.CLUSTER, body.path("ClusterId").asText());
        assertEquals(1, body.path("StepIds").size());
        assertEquals("TERMINATE_PROCESS", body.path("StepCancellationOption").asText());
      }
      assertEquals("CANCEL_PENDING", emr.steps.get("s-1").state, "the running step");
      assertEquals("CANCEL_PENDING", emr.steps.get("s-2").state, "the pending step never starts");
      assertEquals("TERMINATE_PROCESS", emr.steps.get("s-1").cancellationOption);
    }
  }

  @Test
  void aStepThatHasEndedIsNotCancelledAgain() {
    try (EmrSubmitter s = submitter()) {
      jobs.create("done", "silo_hourly", "{}");
      ReportWorker.builder().jobs(jobs.as("worker")).submitter(s, 5).polling(Duration.ofMillis(10), Duration.ZERO)
          .timeouts(LONG, LONG, LONG).build().round();
      String ref = jobs.find("done").orElseThrow().submitRef();
      emr.steps.get("s-1").state = "COMPLETED";
      assertFalse(s.cancel(ref), "nothing left to stop");
      assertEquals("COMPLETED", emr.steps.get("s-1").state);
      assertFalse(s.cancel("emr-serverless 00fapp run 00f1"), "not ours");

      emr.steps.get("s-1").state = "CANCEL_PENDING";
      assertTrue(s.cancel(ref), "already being cancelled: stopping");
      assertEquals(2, emr.calls.stream().filter(c -> "ElasticMapReduce.CancelSteps".equals(c.target())).count(),
          "both asked EMR");
    }
  }

  /** The stand-in refuses what EMR refuses, so the test above could fail. */
  @Test
  void theStandInRefusesIncompleteAndBadlySignedRequests() {
    try (EmrClient client = EmrClient.builder().region(Region.EU_WEST_1).endpointOverride(URI.create(emr.url()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(AwsEndpoint.ACCESS_KEY, AwsEndpoint.SECRET_KEY))).build()) {
      EmrException missing = assertThrows(EmrException.class, () -> client.cancelSteps(b -> b.clusterId("j-TEST")));
      assertEquals("ValidationException", missing.awsErrorDetails().errorCode());
      assertTrue(missing.awsErrorDetails().errorMessage().contains("'StepIds'"), missing.getMessage());
    }
    try (EmrClient client = EmrClient.builder().region(Region.EU_WEST_1).endpointOverride(URI.create(emr.url()))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(AwsEndpoint.ACCESS_KEY, "wrong"))).build()) {
      EmrException forged = assertThrows(EmrException.class,
          () -> client.cancelSteps(b -> b.clusterId("j-TEST").stepIds("s-1")));
      assertEquals(403, forged.statusCode());
      assertEquals("InvalidSignatureException", forged.awsErrorDetails().errorCode());
    }
  }
}
