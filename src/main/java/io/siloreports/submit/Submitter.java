package io.siloreports.submit;

import io.siloreports.jobstore.ReportJob;
import java.util.concurrent.CompletableFuture;

/**
 * Runs report jobs somewhere: a child JVM per report ({@link LocalSubmitter}); EMR steps and Airflow DAG runs are
 * other implementations. The run itself takes its job (SUBMITTED -> PROCESSING) and ends it; the submitter only
 * starts it and says what runs it.
 */
public interface Submitter {

  /**
   * What runs a job.
   *
   * @param ref a reference for people and for reconciliation after a restart ({@code local pid 4242@host, log
   *     data/report-logs/r1.log})
   * @param exitCode completes with the run's exit code when this process can see it end, or never
   */
  record Run(String ref, CompletableFuture<Integer> exitCode) {}

  /** Starts the run of {@code job}; fails when it cannot (nothing was started then). */
  Run submit(ReportJob job) throws Exception;

  /** Whether the run named by {@code ref} (from an earlier process) is still alive; empty when it cannot tell. */
  java.util.Optional<Boolean> isAlive(String ref);

  String describe();
}
