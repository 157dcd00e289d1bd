package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs report jobs somewhere: a child JVM per report ({@link LocalSubmitter}), an EMR step ({@link EmrSubmitter}),
 * an EMR Serverless job run ({@link EmrServerlessSubmitter}), an Airflow DAG run ({@link AirflowSubmitter}). The run itself takes its job (SUBMITTED -> PROCESSING) and ends it;
 * the submitter starts it, says what runs it, and can tell how that run is doing.
 */
public interface Submitter {

  /**
   * What runs a job.
   *
   * @param ref a reference for people and for reconciliation after a restart ({@code local pid 4242@host, log
   *     data/report-logs/r1.log}, {@code emr j-1ABC step s-2DEF})
   * @param exitCode completes with the run's exit code when this process can see it end, or never
   * @param handedTo completes with the ref of the run that took the job over, when this run handed it to another (a
   *     warm runner's report that needs Spark, handed to spark-submit), or never
   */
  record Run(String ref, CompletableFuture<Integer> exitCode, CompletableFuture<String> handedTo) {
    public Run(String ref, CompletableFuture<Integer> exitCode) {
      this(ref, exitCode, new CompletableFuture<>());
    }
  }

  /** How a run is doing, as the system running it says: still going, or ended (and how). */
  record RunState(boolean ended, boolean succeeded, String detail) {
    public static RunState going(String detail) {
      return new RunState(false, false, detail);
    }
  }

  /** The system running jobs asked us to slow down: nothing was started; try again later. */
  final class Throttled extends Exception {
    public Throttled(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Called once when the worker starts: a submitter may get ready for the first job (a warm runner). */
  default void prepare() {}

  /** Starts the run of {@code job}; fails when it cannot (nothing was started then). */
  Run submit(ReportJob job) throws Exception;

  /**
   * Whether the run named by {@code ref} (from an earlier process) is still alive; empty when it cannot tell. By
   * default what {@link #state} says.
   */
  default Optional<Boolean> isAlive(String ref) {
    return state(ref).map(s -> !s.ended());
  }

  /**
   * The state of the run named by {@code ref} from the system running it (EMR, Airflow); empty when this submitter
   * cannot ask (a local run ends through its exit code) or the ref is not its own.
   */
  default Optional<RunState> state(String ref) {
    return Optional.empty();
  }

  /**
   * Stops the run named by {@code ref}, whose job timed out and ended FAILED, so nothing runs on orphaned; true when a
   * run was asked to stop. By default it cannot (false).
   */
  default boolean cancel(String ref) {
    return false;
  }

  String describe();
}
