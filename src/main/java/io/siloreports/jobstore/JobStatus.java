package io.siloreports.jobstore;

/** Life cycle of a report request: PENDING -> PROCESSING -> COMPLETED | FAILED; COMPLETED -> EXPIRED. */
public enum JobStatus {
  PENDING,
  PROCESSING,
  COMPLETED,
  FAILED,
  EXPIRED
}
