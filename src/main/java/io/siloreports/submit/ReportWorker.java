package io.siloreports.submit;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes PENDING jobs oldest first and hands them to a {@link Submitter}, at most {@code maxConcurrent} at a time.
 * Taking a job is the conditional PENDING -> SUBMITTED update, so two workers (threads or processes) never submit
 * the same job. Every round it also ends the jobs nothing took in time (PENDING, SUBMITTED, PROCESSING past their
 * timeouts), and a job whose run ended without finishing it ends FAILED naming the run's log.
 *
 * <p>On start it reconciles what an earlier worker left: a SUBMITTED job whose run is gone (it never took the job)
 * is queued again; a PROCESSING job whose run is gone ends FAILED. A run that is still alive is left to finish.
 * Without a submitter ({@code worker.submitter=none}) it only times jobs out.
 */
public final class ReportWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportWorker.class);

  private final ReportJobStore jobs;
  private final Submitter submitter;
  private final int maxConcurrent;
  private final Duration pollInterval;
  private final Duration pendingTimeout;
  private final Duration submittedTimeout;
  private final Duration processingTimeout;
  private final Map<String, Submitter.Run> running = new ConcurrentHashMap<>();
  private ScheduledExecutorService loop;

  /** @param submitter null: something else runs the jobs; this worker only times them out */
  public ReportWorker(ReportJobStore jobs, Submitter submitter, int maxConcurrent, Duration pollInterval,
      Duration pendingTimeout, Duration submittedTimeout, Duration processingTimeout) {
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("worker.max-concurrent must be at least 1, got " + maxConcurrent);
    }
    this.jobs = jobs;
    this.submitter = submitter;
    this.maxConcurrent = maxConcurrent;
    this.pollInterval = pollInterval;
    this.pendingTimeout = pendingTimeout;
    this.submittedTimeout = submittedTimeout;
    this.processingTimeout = processingTimeout;
  }

  /** Reconciles, then runs a round every poll interval on its own thread until closed. */
  public synchronized ReportWorker start() {
    reconcile();
    loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "report-worker");
      t.setDaemon(true);
      return t;
    });
    loop.scheduleWithFixedDelay(this::roundSafely, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("report worker started: {}, at most {} at a time, every {}",
        submitter == null ? "no submitter (jobs run elsewhere; timing out only)" : submitter.describe(),
        maxConcurrent, pollInterval);
    return this;
  }

  /** Jobs whose runs this worker started and that have not ended yet. */
  public int running() {
    return running.size();
  }

  private void roundSafely() {
    try {
      round();
    } catch (RuntimeException e) {
      LOG.warn("report worker: this round failed ({}); trying again in {}", e.getMessage(), pollInterval, e);
    }
  }

  /** One round: time jobs out, settle ended runs, submit what fits. */
  public synchronized void round() {
    jobs.reapStuck(processingTimeout);
    jobs.reapUntaken(pendingTimeout, submittedTimeout);
    running.forEach((jobId, run) -> {
      if (run.exitCode().isDone()) {
        running.remove(jobId);
        settle(jobId, run.ref(), "exit code " + run.exitCode().join());
      }
    });
    if (submitter == null) {
      return;
    }
    int free = maxConcurrent - running.size();
    if (free <= 0) {
      return;
    }
    for (ReportJob job : jobs.pending(free)) {
      if (!jobs.markSubmitted(job.jobId(), "starting on " + submitter.describe())) {
        continue; // another worker took it
      }
      try {
        Submitter.Run run = submitter.submit(job);
        jobs.updateSubmitRef(job.jobId(), run.ref());
        running.put(job.jobId(), run);
        LOG.info("report {}: SUBMITTED ({})", job.jobId(), run.ref());
      } catch (Exception e) {
        String reason = "could not submit the report: " + e;
        jobs.markFailed(job.jobId(), reason);
        LOG.error("report {}: FAILED: {}", job.jobId(), reason, e);
      }
    }
  }

  /** A run ended: its job should be final; if not, it ends FAILED naming the run. */
  private void settle(String jobId, String ref, String how) {
    Optional<ReportJob> job = jobs.find(jobId);
    if (job.isEmpty() || job.get().status().isFinal()) {
      return;
    }
    String reason = "the report run ended (" + how + ") without finishing the job, which was " + job.get().status()
        + "; see " + ref;
    if (jobs.markFailed(jobId, reason)) {
      LOG.error("report {}: FAILED: {}", jobId, reason);
    }
  }

  /** What an earlier worker left: runs that are gone are queued again (never started) or failed (started). */
  private void reconcile() {
    if (submitter == null) {
      return;
    }
    for (JobStatus status : List.of(JobStatus.SUBMITTED, JobStatus.PROCESSING)) {
      for (ReportJob job : jobs.list(status, 1000, 0)) {
        Optional<Boolean> alive = submitter.isAlive(job.submitRef());
        if (alive.isEmpty() || alive.get()) {
          continue; // not ours to judge, or still running: its own end (or a timeout) settles it
        }
        if (status == JobStatus.SUBMITTED && jobs.requeue(job.jobId(),
            "its run is gone before it took the job (" + job.submitRef() + "); queued again")) {
          LOG.warn("report {}: its run is gone before it took the job ({}); queued again", job.jobId(),
              job.submitRef());
        } else if (status == JobStatus.PROCESSING) {
          settle(job.jobId(), job.submitRef(), "found gone when the worker started");
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (loop != null) {
      loop.shutdownNow();
    }
    if (!running.isEmpty()) {
      LOG.info("report worker stopped; {} run(s) go on and end their jobs themselves: {}", running.size(),
          running.keySet());
    }
  }
}
