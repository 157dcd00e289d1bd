package io.siloreports.jobstore;

/**
 * Life cycle of a report request: PENDING -> (SUBMITTED, when a worker hands it to a submitter) -> PROCESSING ->
 * COMPLETED | FAILED; COMPLETED -> EXPIRED when the report object is gone. PENDING and SUBMITTED can end FAILED
 * too (nothing took the job in time, or its run could not start).
 */
public enum JobStatus {
  PENDING,
  SUBMITTED,
  PROCESSING,
  COMPLETED,
  FAILED,
  EXPIRED;

  /** COMPLETED, FAILED and EXPIRED: the job will not run again. */
  public boolean isFinal() {
    return this == COMPLETED || this == FAILED || this == EXPIRED;
  }
}
