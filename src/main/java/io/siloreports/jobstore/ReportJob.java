package io.siloreports.jobstore;

import java.time.Instant;

/** One row of {@code report_jobs}. Nullable fields are null until the life cycle sets them. */
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
    Instant finishedAt) {}
