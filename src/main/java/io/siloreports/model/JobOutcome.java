package io.siloreports.model;

/**
 * What a job's {@code run()} returns: whether it did what it was asked, and one line saying what it did. The
 * command line maps outcomes (and exceptions) to exit codes in one place.
 */
public interface JobOutcome {
  boolean succeeded();

  String summary();
}
