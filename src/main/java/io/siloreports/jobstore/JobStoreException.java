package io.siloreports.jobstore;

/** The job store could not talk to its database; the message says which operation on which job. */
public class JobStoreException extends RuntimeException {
  public JobStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
