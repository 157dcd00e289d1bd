package io.siloreports.reportjob;

import java.util.regex.Pattern;

/** The rule for a report job's id, which becomes part of the report's object key and of links to it. */
public final class JobId {
  private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private JobId() {}

  /** Fails with the rule when {@code jobId} cannot name a job. */
  public static void requireValid(String jobId) {
    if (jobId == null || !RULE.matcher(jobId).matches()) {
      throw new IllegalArgumentException("job id must be 1-128 of [A-Za-z0-9._-] and start with a letter or"
          + " digit, got '" + jobId + "'");
    }
  }
}
