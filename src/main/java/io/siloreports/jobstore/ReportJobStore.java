package io.siloreports.jobstore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The {@code report_jobs} table and its history, {@code report_job_events}. Every transition is one conditional
 * UPDATE (... WHERE status = expected) and its event row, in one transaction: two workers can never both take the
 * same job, and a method returns true only for the caller that made the transition. Each store instance acts as
 * one actor, recorded on the events it writes ({@link #as} gives the same store as another actor).
 */
public interface ReportJobStore extends AutoCloseable {

  /** The same store, recording {@code actor} on the events it writes. */
  ReportJobStore as(String actor);

  /**
   * Inserts a PENDING job. Fails with {@link IllegalStateException} if the id exists.
   *
   * @param requestedBy who asked for it (the API token's name), or null
   * @param requestId the id of the HTTP request that asked for it, kept for the log context of its handling; or null
   */
  ReportJob create(String jobId, String reportType, String paramsJson, String requestedBy, String requestId);

  default ReportJob create(String jobId, String reportType, String paramsJson, String requestedBy) {
    return create(jobId, reportType, paramsJson, requestedBy, null);
  }

  default ReportJob create(String jobId, String reportType, String paramsJson) {
    return create(jobId, reportType, paramsJson, null);
  }

  /**
   * Inserts the PENDING job of a schedule's tick, or nothing when that run exists already (another worker, or an
   * earlier round, created it): empty then.
   */
  Optional<ReportJob> createScheduled(String jobId, String reportType, String paramsJson, String scheduleName,
      Instant scheduledFor);

  /** The latest tick a run of the schedule was created for. */
  Optional<Instant> lastScheduledRun(String scheduleName);

  Optional<ReportJob> find(String jobId);

  /** Most recently created first; {@code status} null for every status. */
  List<ReportJob> list(JobStatus status, int limit, int offset);

  default List<ReportJob> list(int limit) {
    return list(null, limit, 0);
  }

  /** How many jobs there are with {@code status} (null: all). */
  long count(JobStatus status);

  /** Jobs not yet ended (PENDING, SUBMITTED, PROCESSING): in all, and of one requester. */
  record Unfinished(long total, long byRequester) {}

  /** How many jobs have not ended, in all and asked for by {@code requestedBy} (the quotas of the service). */
  Unfinished unfinished(String requestedBy);

  /** Jobs per status and trigger, and the oldest of each unfinished status: two grouped reads over the status index. */
  JobCounts counts();

  /** PENDING jobs in the order a worker takes them: ad hoc before scheduled, then oldest first. */
  List<ReportJob> pending(int limit);

  /** SUBMITTED jobs, oldest first. */
  List<ReportJob> submitted();

  /** The history of a job, oldest first. */
  List<JobEvent> events(String jobId);

  /** PENDING -> SUBMITTED; sets submitted_at and what runs it. */
  boolean markSubmitted(String jobId, String submitRef);

  /** Names what runs a SUBMITTED or PROCESSING job once the submitter knows it (not a transition: no event). */
  boolean updateSubmitRef(String jobId, String submitRef);

  /** SUBMITTED -> PENDING: what was to run it is gone before it started (a worker takes it again). */
  boolean requeue(String jobId, String reason);

  /**
   * PROCESSING -> SUBMITTED, clearing started_at and setting submitted_at to now: the run that took the job found it
   * needs another kind of run (a warm runner's report that needs Spark) before it did anything, and that run gets the
   * whole submitted timeout to take it; {@code reason} goes to the history.
   */
  boolean handBack(String jobId, String reason);

  /** PENDING or SUBMITTED -> PROCESSING; sets started_at. */
  boolean markProcessing(String jobId);

  /** PROCESSING -> COMPLETED; sets s3_key, s3_url, finished_at. */
  default boolean markCompleted(String jobId, String s3Key, String s3Url) {
    return markCompleted(jobId, s3Key, s3Url, null);
  }

  /** The same, keeping the report's statistics (JSON) for the job's detail. */
  boolean markCompleted(String jobId, String s3Key, String s3Url, String summaryJson);

  /** A completed job's statistics as JSON; empty when the job is missing or has none. */
  Optional<String> summary(String jobId);

  /** PENDING, SUBMITTED or PROCESSING -> FAILED with a readable reason; sets finished_at. */
  boolean markFailed(String jobId, String errorMessage);

  /** COMPLETED -> EXPIRED (the report object is gone). */
  boolean markExpired(String jobId);

  /** COMPLETED -> EXPIRED, saying why (retention deleted the report). */
  boolean markExpired(String jobId, String reason);

  /** COMPLETED jobs finished before {@code finishedBefore}, oldest first. */
  List<ReportJob> completedBefore(Instant finishedBefore, int limit);

  /** Deletes final jobs (and their events) last changed before {@code updatedBefore}; returns how many jobs. */
  int prune(Instant updatedBefore);

  /** COMPLETED and FAILED jobs finished since {@code finishedSince} whose notifications nobody took on yet. */
  List<ReportJob> toNotify(Instant finishedSince, int limit);

  /** Takes on a finished job's notifications: true for exactly one caller. */
  boolean claimNotification(String jobId);

  /** Records something that happened to a job without changing its status (a notification sent or failed). */
  void note(String jobId, String detail);

  /** Replaces the URL of a COMPLETED job (a fresh presigned URL). Not a transition: no event. */
  boolean updateUrl(String jobId, String s3Url);

  /**
   * Jobs in {@code status} that entered it before {@code before}: PENDING by {@code created_at}, SUBMITTED by
   * {@code submitted_at}, PROCESSING by {@code started_at} (what the reapers look for).
   */
  List<ReportJob> enteredBefore(JobStatus status, Instant before);

  /** {@code expected} -> FAILED with a readable reason, only if the job is still {@code expected}. */
  boolean markFailed(String jobId, JobStatus expected, String errorMessage);

  /** The store's clock, at the precision it stores times with. */
  Instant now();

  @Override
  void close();
}
