package io.siloreports.jobstore;

import java.time.Instant;

/**
 * One row of {@code report_jobs}. Nullable fields are null until the life cycle sets them.
 *
 * @param requestedBy who asked for the job (the API token's name), null for a job started elsewhere
 * @param submitRef what runs the job once a worker submitted it (e.g. {@code local pid 4242 on host}), for the
 *     worker's reconciliation and for people
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
    String submitRef) {}
