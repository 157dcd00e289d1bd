package io.siloreports.worker;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.worker.submit.Submitter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.siloreports.metrics.ServiceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes PENDING jobs (ad hoc before scheduled, then oldest first) and hands them to a {@link Submitter}, at most
 * {@code maxConcurrent} at a time. Taking a job is the conditional PENDING -> SUBMITTED update, so two workers
 * (threads or processes) never submit the same job. Every round it also runs its {@link Duty duties} (schedules,
 * notifications, retention), ends the jobs nothing took in time (PENDING, SUBMITTED, PROCESSING past their timeouts) and stops their runs,
 * and settles runs that ended: a job whose run ended without finishing it ends FAILED naming the run. Runs on other
 * systems (EMR steps, Airflow DAG runs) are asked for their state every {@code remotePollInterval}.
 *
 * <p>On start it reconciles what an earlier worker left: a SUBMITTED job whose run is gone (it never took the job)
 * is queued again; a PROCESSING job whose run is gone ends FAILED. A run that is still alive is left to finish.
 * Without a submitter ({@code worker.submitter=none}) something else runs the jobs: it only times them out and runs
 * its duties. A throttled submission puts the job back in the queue, saying so in its history. Failed and throttled
 * submissions are counted in the service's metrics. Whatever it does for a job, it does in the job's
 * {@link LogContext} (its id and the id of the request that created it).
 *
 * <p>Longer than most files: a round's parts (duties, reapers, settling, submission, remote polls, reconciliation)
 * share the map of running runs and the round's lock, so they stay in one class.
 */
public final class ReportWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportWorker.class);

  private final ReportJobLifecycle jobs;
  private final Submitter submitter;
  private final int maxConcurrent;
  private final Duration pollInterval;
  private final Duration remotePollInterval;
  private final Duration pendingTimeout;
  private final Duration submittedTimeout;
  private final Duration processingTimeout;
  private final List<Duty> duties;
  private final Clock clock;
  private final ServiceMetrics metrics;
  private final Map<String, Submitter.Run> running = new ConcurrentHashMap<>();
  private Instant lastRemotePoll = Instant.MIN;
  private volatile ScheduledExecutorService loop;

  private ReportWorker(Builder b) {
    if (b.maxConcurrent < 1) {
      throw new IllegalArgumentException("worker.max-concurrent must be at least 1, got " + b.maxConcurrent);
    }
    this.jobs = new ReportJobLifecycle(Objects.requireNonNull(b.jobs, "jobs"));
    this.submitter = b.submitter;
    this.maxConcurrent = b.maxConcurrent;
    this.pollInterval = Objects.requireNonNull(b.pollInterval, "pollInterval");
    this.remotePollInterval = b.remotePollInterval == null ? pollInterval : b.remotePollInterval;
    this.pendingTimeout = Objects.requireNonNull(b.pendingTimeout, "pendingTimeout");
    this.submittedTimeout = Objects.requireNonNull(b.submittedTimeout, "submittedTimeout");
    this.processingTimeout = Objects.requireNonNull(b.processingTimeout, "processingTimeout");
    this.duties = List.copyOf(b.duties);
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.metrics = b.metrics != null ? b.metrics : new ServiceMetrics(b.jobs, clock);
    if (submitter != null) {
      metrics.submitter(ServiceMetrics.kindOf(submitter, "Submitter"));
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reconciles, then runs a round every poll interval on its own thread until closed. */
  public synchronized ReportWorker start() {
    reconcile();
    if (submitter != null) {
      submitter.prepare();
    }
    loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "report-worker");
      t.setDaemon(true);
      return t;
    });
    loop.scheduleWithFixedDelay(this::roundSafely, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("report worker started: {}, at most {} at a time, every {}{}",
        submitter == null ? "no submitter (jobs run elsewhere; timing out only)" : submitter.describe(),
        maxConcurrent, pollInterval, duties.isEmpty() ? ""
            : "; also " + String.join(", ", duties.stream().map(Duty::describe).toList()));
    return this;
  }

  /**
   * Runs a round now rather than at the next poll: the service in this JVM created a job, and the poll interval need
   * not be waited for. Does nothing before {@link #start} or after {@link #close}.
   */
  public void wake() {
    ScheduledExecutorService l = loop; // not under the round's lock: a round may be starting a run
    if (l != null && !l.isShutdown()) {
      try {
        l.execute(this::roundSafely);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing: the job waits for the next worker
      }
    }
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

  /** One round: duties, time jobs out, settle ended runs, submit what fits. */
  public synchronized void round() {
    Instant now = clock.instant();
    for (Duty d : duties) {
      try {
        d.run(now);
      } catch (RuntimeException e) {
        LOG.warn("report worker: {} failed this round ({}); trying again next round", d.describe(), e.getMessage(), e);
      }
    }
    jobs.reapStuck(processingTimeout, this::cancelRun);
    jobs.reapUntaken(pendingTimeout, submittedTimeout, this::cancelRun);
    running.forEach((jobId, run) -> {
      if (run.exitCode().isDone()) {
        running.remove(jobId);
        jobs.settle(jobId, run.ref(), "exit code " + run.exitCode().join());
      }
    });
    if (submitter == null) {
      return;
    }
    if (!now.isBefore(lastRemotePoll.plus(remotePollInterval))) {
      lastRemotePoll = now;
      pollRemoteRuns();
    }
    int free = maxConcurrent - running.size();
    if (free <= 0) {
      return;
    }
    for (ReportJob job : jobs.store().pending(free)) {
      if (!submit(job)) {
        return; // the system asked us to slow down: no more submissions this round
      }
    }
  }

  /** Submits one job, in its log context; false when the system running jobs asked us to slow down. */
  private boolean submit(ReportJob job) {
    try (LogContext.Scope ignored = LogContext.ofJob(job)) {
      if (!jobs.submit(job.jobId(), "starting on " + submitter.describe())) {
        return true; // another worker took it
      }
      try {
        Submitter.Run run = submitter.submit(job);
        jobs.runBy(job.jobId(), run.ref());
        running.put(job.jobId(), run);
        run.handedTo().thenAccept(ref -> handedOver(job, run, ref));
        run.exitCode().whenComplete((code, e) -> wake()); // settle it and start the next without waiting for the poll
        LOG.info("report {}: SUBMITTED ({})", job.jobId(), run.ref());
      } catch (Submitter.Throttled e) {
        metrics.submissionFailed(ServiceMetrics.kindOf(submitter, "Submitter"), true);
        jobs.requeue(job.jobId(), "submission throttled by " + submitter.describe() + " (" + e.getMessage()
            + "); queued again");
        LOG.warn("report {}: submission throttled ({}); queued again, next try in {}", job.jobId(), e.getMessage(),
            pollInterval);
        return false;
      } catch (Exception e) {
        String reason = "could not submit the report to " + submitter.describe() + ": " + e.getMessage();
        jobs.fail(job.jobId(), reason);
        metrics.submissionFailed(ServiceMetrics.kindOf(submitter, "Submitter"), false);
        LOG.error("report {}: FAILED: {}", job.jobId(), reason, e);
      }
      return true;
    }
  }

  /**
   * The run handed its job to another (a warm runner's report to spark-submit): the job names that run from now on,
   * so a timeout stops it, a restarted worker finds it alive, and a failure points to its log and process.
   */
  private void handedOver(ReportJob job, Submitter.Run from, String ref) {
    running.replace(job.jobId(), from, new Submitter.Run(ref, from.exitCode()));
    try (LogContext.Scope ignored = LogContext.ofJob(job)) {
      jobs.runBy(job.jobId(), ref);
    } catch (RuntimeException e) {
      LOG.warn("report {}: could not record that {} runs it now ({}); its job still names {}", job.jobId(), ref,
          e.getMessage(), from.ref());
    }
  }

  /**
   * Asks the system running each SUBMITTED or PROCESSING job how its run is doing; a run that ended without
   * finishing its job ends it FAILED with the system's reason.
   */
  private void pollRemoteRuns() {
    List<ReportJob> live = new ArrayList<>(jobs.store().list(JobStatus.SUBMITTED, 1000, 0));
    live.addAll(jobs.store().list(JobStatus.PROCESSING, 1000, 0));
    for (ReportJob job : live) {
      if (job.submitRef() == null) {
        continue;
      }
      try (LogContext.Scope ignored = LogContext.ofJob(job)) {
        pollRemoteRun(job);
      }
    }
  }

  private void pollRemoteRun(ReportJob job) {
    Optional<Submitter.RunState> state;
    try {
      state = submitter.state(job.submitRef());
    } catch (RuntimeException e) {
      LOG.warn("report {}: cannot ask {} about {} ({}); asking again later", job.jobId(), submitter.describe(),
          job.submitRef(), e.getMessage());
      return;
    }
    if (state.isPresent() && state.get().ended()) {
      running.remove(job.jobId());
      jobs.settle(job.jobId(), job.submitRef(), state.get().detail());
    }
  }

  /** A job that timed out and ended FAILED: its run, if one was started, is stopped so nothing runs on orphaned. */
  private void cancelRun(ReportJob job) {
    running.remove(job.jobId());
    if (submitter == null || job.submitRef() == null) {
      return;
    }
    try {
      if (submitter.cancel(job.submitRef())) {
        LOG.warn("report {}: timed out; its run was stopped ({})", job.jobId(), job.submitRef());
      }
    } catch (RuntimeException e) {
      LOG.warn("report {}: timed out, but its run could not be stopped ({}): {}; stop it by hand", job.jobId(),
          job.submitRef(), e.getMessage());
    }
  }

  /** What an earlier worker left: runs that are gone are queued again (never started) or failed (started). */
  private void reconcile() {
    if (submitter == null) {
      return;
    }
    for (JobStatus status : List.of(JobStatus.SUBMITTED, JobStatus.PROCESSING)) {
      for (ReportJob job : jobs.store().list(status, 1000, 0)) {
        Optional<Boolean> alive = submitter.isAlive(job.submitRef());
        if (alive.isEmpty() || alive.get()) {
          continue; // not ours to judge, or still running: its own end (or a timeout) settles it
        }
        try (LogContext.Scope ignored = LogContext.ofJob(job)) {
          if (status == JobStatus.SUBMITTED && jobs.requeue(job.jobId(),
              "its run is gone before it took the job (" + job.submitRef() + "); queued again")) {
            LOG.warn("report {}: its run is gone before it took the job ({}); queued again", job.jobId(),
                job.submitRef());
          } else if (status == JobStatus.PROCESSING) {
            jobs.settle(job.jobId(), job.submitRef(), "found gone when the worker started");
          }
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    if (loop != null) {
      loop.shutdownNow();
    }
    for (Duty d : duties) {
      if (d instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("report worker: closing {} failed: {}", d.describe(), e.toString());
        }
      }
    }
    if (submitter instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("report worker: closing {} failed: {}", submitter.describe(), e.toString());
      }
    }
    if (!running.isEmpty()) {
      LOG.info("report worker stopped; {} run(s) go on and end their jobs themselves: {}", running.size(),
          running.keySet());
    }
  }

  /** Everything a worker needs; the submitter may be null ({@code worker.submitter=none}), duties are optional. */
  public static final class Builder {
    private ReportJobStore jobs;
    private Submitter submitter;
    private int maxConcurrent = 1;
    private Duration pollInterval;
    private Duration remotePollInterval;
    private Duration pendingTimeout;
    private Duration submittedTimeout;
    private Duration processingTimeout;
    private final List<Duty> duties = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ServiceMetrics metrics;

    private Builder() {}

    /** Where failed submissions are counted (default: metrics nobody serves). */
    public Builder metrics(ServiceMetrics metrics) {
      this.metrics = metrics;
      return this;
    }

    public Builder jobs(ReportJobStore jobs) {
      this.jobs = jobs;
      return this;
    }

    /** Null: something else runs the jobs. */
    public Builder submitter(Submitter submitter, int maxConcurrent) {
      this.submitter = submitter;
      this.maxConcurrent = maxConcurrent;
      return this;
    }

    /** A round every {@code poll}; runs on other systems are asked about every {@code remotePoll}. */
    public Builder polling(Duration poll, Duration remotePoll) {
      this.pollInterval = poll;
      this.remotePollInterval = remotePoll;
      return this;
    }

    public Builder timeouts(Duration pending, Duration submitted, Duration processing) {
      this.pendingTimeout = pending;
      this.submittedTimeout = submitted;
      this.processingTimeout = processing;
      return this;
    }

    public Builder duty(Duty duty) {
      duties.add(Objects.requireNonNull(duty, "duty"));
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public ReportWorker build() {
      return new ReportWorker(this);
    }
  }
}
