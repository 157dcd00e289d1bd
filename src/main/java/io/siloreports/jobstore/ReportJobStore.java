package io.siloreports.jobstore;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code report_jobs} table. Every transition is one conditional UPDATE (... WHERE status = expected),
 * so two workers can never both take the same job: a method returns true only for the caller that made
 * the transition.
 */
public interface ReportJobStore extends AutoCloseable {

  /** Inserts a PENDING job. Fails with {@link IllegalStateException} if the id exists. */
  ReportJob create(String jobId, String reportType, String paramsJson);

  Optional<ReportJob> find(String jobId);

  /** Most recently created first. */
  List<ReportJob> list(int limit);

  /** PENDING -> PROCESSING; sets started_at. */
  boolean markProcessing(String jobId);

  /** PROCESSING -> COMPLETED; sets s3_key, s3_url, finished_at. */
  boolean markCompleted(String jobId, String s3Key, String s3Url);

  /** PENDING or PROCESSING -> FAILED with a readable reason; sets finished_at. */
  boolean markFailed(String jobId, String errorMessage);

  /** COMPLETED -> EXPIRED (the report object is gone). */
  boolean markExpired(String jobId);

  /** Replaces the URL of a COMPLETED job (a fresh presigned URL). */
  boolean updateUrl(String jobId, String s3Url);

  /** PROCESSING jobs started longer than {@code timeout} ago -> FAILED; returns how many. */
  int reapStuck(Duration timeout);

  @Override
  void close();
}
