package io.siloreports.reportjob;

import io.siloreports.db.Jdbc;
import io.siloreports.db.OutageBackoff;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of a report job in one place: every transition the report run, the command line, the worker and the
 * service make (create, take, complete, fail, submit, requeue, settle a run that ended, expire, reap), each one
 * conditional update of the {@link ReportJobStore} with the reason and the log line a person acts on. The store only
 * persists; this class decides. Reads (lists, history) go to {@link #store()} directly.
 *
 * <p>PENDING -> (SUBMITTED) -> PROCESSING -> COMPLETED | FAILED; COMPLETED -> EXPIRED. A job runs once: a run that
 * finds its job taken throws {@link JobNotPendingException}. A job always ends: a run that fails records FAILED (retried
 * while the job store is unreachable), and whatever stops a run silently is ended by {@link #settle} (its run ended) or
 * by the reapers (nothing took it, or it stayed PROCESSING) with a reason that says where to look.
 */
public final class ReportJobLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJobLifecycle.class);

  private final ReportJobStore jobs;

  public ReportJobLifecycle(ReportJobStore jobs) {
    this.jobs = Objects.requireNonNull(jobs, "jobs");
  }

  /** The same life cycle, recording {@code actor} on the history it writes. */
  public ReportJobLifecycle as(String actor) {
    return new ReportJobLifecycle(jobs.as(actor));
  }

  /** The store, for reads; transitions go through this class. */
  public ReportJobStore store() {
    return jobs;
  }

  // ---- created

  /** A new PENDING job asked for by {@code requestedBy} (null: unknown). Fails when the id exists. */
  public ReportJob create(String jobId, ReportRequest request, String requestedBy) {
    return create(jobId, request, requestedBy, null);
  }

  /** The same, keeping the id of the HTTP request that asked for it (the log context of its handling). */
  public ReportJob create(String jobId, ReportRequest request, String requestedBy, String requestId) {
    JobId.requireValid(jobId);
    ReportJob job = jobs.create(jobId, ReportRequest.REPORT_TYPE, request.toJson(), requestedBy, requestId);
    // One line per job, where it starts: following a request id into its job begins here.
    LOG.info("report {}: PENDING, asked by {}", jobId, requestedBy == null ? "(unknown)" : requestedBy);
    return job;
  }

  /** The PENDING job of a schedule's tick; empty when that run exists already (another worker, an earlier round). */
  public Optional<ReportJob> createScheduled(String jobId, ReportRequest request, String schedule, Instant tick) {
    return jobs.createScheduled(jobId, ReportRequest.REPORT_TYPE, request.toJson(), schedule, tick);
  }

  // ---- a run of the report

  /**
   * Takes job {@code jobId} for this run (PENDING or SUBMITTED -> PROCESSING), so no other run processes it. A job
   * that does not exist is created first from {@code request} (a run started from the command line). Jobs stuck in
   * PROCESSING for more than {@code processingTimeout} are reaped first, so a run never waits behind a dead one.
   *
   * @throws JobNotPendingException when another run has or had the job
   */
  public ReportJob take(String jobId, ReportRequest request, Duration processingTimeout) {
    JobId.requireValid(jobId);
    reapStuck(processingTimeout);
    ReportJob job = jobs.find(jobId).orElseGet(() -> jobs.create(jobId, ReportRequest.REPORT_TYPE, request.toJson()));
    if (!jobs.markProcessing(jobId)) {
      String status = jobs.find(jobId).map(j -> j.status().name()).orElse("missing");
      throw new JobNotPendingException("report job " + jobId + " is " + status
          + ", not PENDING: a job runs once (submit a new job id to run the report again)");
    }
    return job;
  }

  /**
   * PROCESSING -> SUBMITTED: this run (a warm runner) found the report needs Spark before it wrote anything, and its
   * worker hands the job to a run that has it (spark-submit), which takes it as usual.
   */
  public boolean handBack(String jobId, String reason) {
    return jobs.handBack(jobId, reason);
  }

  /** PROCESSING -> COMPLETED with where the report is; fails when the job left PROCESSING while it ran. */
  public void complete(String jobId, ReportOutput.Stored stored, String summaryJson) {
    if (!jobs.markCompleted(jobId, stored.key(), stored.url(), summaryJson)) {
      throw new IllegalStateException("job " + jobId + " left PROCESSING while it ran (reaped as stuck?)");
    }
  }

  /** Ends a PENDING, SUBMITTED or PROCESSING job FAILED with {@code reason}; false when it had ended already. */
  public boolean fail(String jobId, String reason) {
    return jobs.markFailed(jobId, reason);
  }

  /**
   * Marks a failed run's job FAILED with its reason. The job store is often the MySQL whose outage failed the report, so
   * while it is unreachable the mark is retried with backoff (1, 2, 4, 8, 10 s ...) for up to {@code retryFor}: the job
   * then ends with the reason that names the database, not later with the reaper's "timed out". Past that the run gives
   * up, says so, and leaves the job to the reaper ({@code processingTimeout}); it never hangs.
   */
  public void failRetrying(String jobId, String reason, Duration retryFor, Duration processingTimeout) {
    OutageBackoff backoff = new OutageBackoff(retryFor);
    for (int attempt = 1; ; attempt++) {
      try {
        jobs.markFailed(jobId, reason);
        if (attempt > 1) {
          LOG.info("report {}: FAILED recorded in the job store at attempt {}", jobId, attempt);
        }
        return;
      } catch (RuntimeException e) {
        if (!Jdbc.isUnreachable(e)) {
          throw e;
        }
        long sleep = backoff.nextPauseMillis();
        if (sleep == 0) {
          LOG.error("report {}: the job store stayed unreachable for {} (report.job-store-retry), so the job stays"
              + " PROCESSING until a later run or the worker reaps it (report.processing-timeout {}); it FAILED"
              + " because: {}; the job store's last error: {}", jobId, retryFor, processingTimeout, reason,
              e.getMessage());
          return;
        }
        LOG.warn("report {}: cannot record FAILED in the job store ({}); attempt {}, next in {} ms, for up to {} ms"
            + " more (report.job-store-retry)", jobId, e.getMessage(), attempt, sleep,
            retryFor.minus(backoff.elapsed()).toMillis());
        try {
          backoff.pause(sleep);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          LOG.error("report {}: interrupted while recording FAILED ({}); the reaper will end the job", jobId, reason);
          return;
        }
      }
    }
  }

  /**
   * A run that cannot even start (a setting, Spark, a library) still ends its job FAILED with the reason, creating the
   * job first when the run made it up: a job must not stay PENDING for ever. Returns the reason as stored.
   */
  public String failBeforeStart(String jobId, ReportRequest request, String reason) {
    if (jobs.find(jobId).isEmpty()) {
      jobs.create(jobId, ReportRequest.REPORT_TYPE, request == null ? null : request.toJson());
    }
    jobs.markFailed(jobId, reason);
    return jobs.find(jobId).map(ReportJob::errorMessage).orElse(reason);
  }

  // ---- the worker

  /** PENDING -> SUBMITTED, naming what will run it; false when another worker took it. */
  public boolean submit(String jobId, String what) {
    return jobs.markSubmitted(jobId, what);
  }

  /** Names the run of a SUBMITTED or PROCESSING job once the submitter knows it (not a transition). */
  public void runBy(String jobId, String runRef) {
    jobs.updateSubmitRef(jobId, runRef);
  }

  /** SUBMITTED -> PENDING: what was to run it is gone before it started, or the submission was throttled. */
  public boolean requeue(String jobId, String reason) {
    return jobs.requeue(jobId, reason);
  }

  /** A run ended ({@code how}): its job should be final; if not, it ends FAILED naming the run. */
  public boolean settle(String jobId, String runRef, String how) {
    Optional<ReportJob> job = jobs.find(jobId);
    if (job.isEmpty() || job.get().status().isFinal()) {
      return false;
    }
    String reason = "the report run ended (" + how + ") without finishing the job, which was " + job.get().status()
        + "; see " + runRef;
    try (LogContext.Scope ignored = LogContext.ofJob(job.get())) {
      if (jobs.markFailed(jobId, reason)) {
        LOG.error("report {}: FAILED: {}", jobId, reason);
        return true;
      }
    }
    return false;
  }

  // ---- links and expiry

  /**
   * The job as it should be shown now: a COMPLETED job with a link from {@code links} that works now, or EXPIRED
   * (its report object is gone); any other job as stored. Empty when there is no such job.
   */
  public Optional<ReportJob> current(String jobId, DownloadLinks links) {
    Optional<ReportJob> found = jobs.find(jobId);
    if (found.isEmpty() || found.get().status() != JobStatus.COMPLETED || found.get().s3Key() == null) {
      return found;
    }
    Optional<String> link = links.link(found.get().s3Key());
    if (link.isEmpty()) {
      expire(jobId, "the report object is gone");
      return jobs.find(jobId);
    }
    return Optional.of(found.get().withUrl(link.get()));
  }

  /** COMPLETED -> EXPIRED, saying why (the object is gone, retention deleted it). */
  public boolean expire(String jobId, String reason) {
    return jobs.markExpired(jobId, reason);
  }

  // ---- reaping

  /** PROCESSING jobs started more than {@code timeout} ago -> FAILED, each logged; returns how many. */
  public int reapStuck(Duration timeout) {
    return reapStuck(timeout, job -> {});
  }

  /** The same, handing each job it ended (as it was before) to {@code reaped}: its run may still be going. */
  public int reapStuck(Duration timeout, Consumer<ReportJob> reaped) {
    int count = 0;
    Instant before = jobs.now().minus(requirePositive(timeout));
    for (ReportJob job : jobs.enteredBefore(JobStatus.PROCESSING, before)) {
      String reason = "timed out: PROCESSING for more than " + timeout + " (started " + job.startedAt() + ")";
      // A job that completes in between is no longer PROCESSING and is left alone.
      try (LogContext.Scope ignored = LogContext.ofJob(job)) {
        if (jobs.markFailed(job.jobId(), JobStatus.PROCESSING, reason)) {
          count++;
          reaped.accept(job);
          LOG.warn("Reaped report job {}: it was PROCESSING since {}, longer than the timeout {}; marked FAILED."
              + " Look for why its report run stopped (driver log, EMR step or Airflow task).",
              job.jobId(), job.startedAt(), timeout);
        }
      }
    }
    if (count > 0) {
      LOG.warn("reaped {} report job(s) stuck in PROCESSING for more than {}", count, timeout);
    }
    return count;
  }

  /**
   * Jobs nothing took in time -> FAILED: PENDING longer than {@code pendingTimeout} after creation, SUBMITTED longer
   * than {@code submittedTimeout} after submission. Returns how many.
   */
  public int reapUntaken(Duration pendingTimeout, Duration submittedTimeout) {
    return reapUntaken(pendingTimeout, submittedTimeout, job -> {});
  }

  /** The same, handing each job it ended (as it was before) to {@code reaped}. */
  public int reapUntaken(Duration pendingTimeout, Duration submittedTimeout, Consumer<ReportJob> reaped) {
    int count = 0;
    Instant now = jobs.now();
    List<ReportJob> untaken = jobs.enteredBefore(JobStatus.PENDING, now.minus(requirePositive(pendingTimeout)));
    // Whether anything was running says which of the two causes it was: a queue longer than the workers drain in
    // the timeout, or no worker at all.
    long running = untaken.isEmpty() ? 0 : jobs.count(JobStatus.SUBMITTED) + jobs.count(JobStatus.PROCESSING);
    String cause = running > 0
        ? running + " job(s) were running meanwhile: the queue was longer than the workers drain in that time"
            + " (raise worker.max-concurrent, or worker.pending-timeout)"
        : "is a worker running (api or worker command) or another submitter configured?";
    for (ReportJob job : untaken) {
      count += reap(job, JobStatus.PENDING, reaped, "timed out: nothing took the job within " + pendingTimeout
          + " (created " + job.createdAt() + "); " + cause);
    }
    for (ReportJob job : jobs.enteredBefore(JobStatus.SUBMITTED, now.minus(requirePositive(submittedTimeout)))) {
      count += reap(job, JobStatus.SUBMITTED, reaped, "timed out: submitted " + job.submittedAt() + " (" + job.submitRef()
          + ") but its run did not start within " + submittedTimeout + "; see the run's log");
    }
    return count;
  }

  private int reap(ReportJob job, JobStatus expected, Consumer<ReportJob> reaped, String reason) {
    try (LogContext.Scope ignored = LogContext.ofJob(job)) {
      if (!jobs.markFailed(job.jobId(), expected, reason)) {
        return 0; // it moved on in between
      }
      LOG.warn("Report job {}: {}", job.jobId(), reason);
      reaped.accept(job);
      return 1;
    }
  }

  private static Duration requirePositive(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return timeout;
  }
}
