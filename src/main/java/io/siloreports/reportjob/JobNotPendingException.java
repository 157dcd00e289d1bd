package io.siloreports.reportjob;

/** The job exists but is not PENDING (or SUBMITTED): another run has it or had it, and a job runs once. */
public final class JobNotPendingException extends IllegalStateException {
  JobNotPendingException(String message) {
    super(message);
  }
}
