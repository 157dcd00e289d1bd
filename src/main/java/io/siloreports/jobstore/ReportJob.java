package io.siloreports.jobstore;

import java.time.Instant;

/**
 * One row of {@code report_jobs}. Nullable fields are null until the life cycle sets them.
 *
 * @param requestedBy who asked for the job (the API token's name, or {@code schedule:<name>}), null for a job
 *     started elsewhere
 * @param submitRef what runs the job once a worker submitted it (e.g. {@code local pid 4242 on host}, an EMR step id,
 *     an Airflow DAG run), for the worker's reconciliation and for people
 * @param trigger ad hoc jobs are taken before scheduled ones
 * @param scheduleName the report definition that created a scheduled job, and {@code scheduledFor} its tick
 * @param notifiedAt when a worker took on the job's notifications (null: not yet)
 * @param requestId the id of the HTTP request that created the job ({@code X-Request-Id}), set in the log context of
 *     everything that handles the job; null for a job created otherwise
 */
public record ReportJob(
    String jobId,
    JobStatus status,
    String reportType,
    String params,
    String s3Key,
    String s3Url,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    Instant startedAt,
    Instant finishedAt,
    String requestedBy,
    Instant submittedAt,
    String submitRef,
    Trigger trigger,
    String scheduleName,
    Instant scheduledFor,
    Instant notifiedAt,
    String requestId) {

  /** Why a job exists: someone asked (ad hoc, first in line) or a schedule's tick. */
  public enum Trigger {
    ADHOC,
    SCHEDULED
  }

  /** The same job with another URL (a fresh presigned link). */
  public ReportJob withUrl(String url) {
    return new ReportJob(jobId, status, reportType, params, s3Key, url, errorMessage, createdAt, updatedAt, startedAt,
        finishedAt, requestedBy, submittedAt, submitRef, trigger, scheduleName, scheduledFor, notifiedAt, requestId);
  }
}
