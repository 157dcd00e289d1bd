package io.siloreports.stream;

import java.util.Optional;
import org.apache.spark.SparkContext;

/**
 * Which attempt of its YARN application a stream run is. On EMR the stream step allows several attempts
 * ({@code spark.yarn.maxAppAttempts}): when one fails, YARN starts the driver again and it resumes from the checkpoint.
 * The operator learns of each restart from one log line.
 *
 * @param applicationId the application's id ({@code application_...} on YARN, {@code local-...} elsewhere)
 * @param attempt its attempt number (YARN's, from 1); null where there are no attempts (local, client mode)
 * @param maxAttempts {@code spark.yarn.maxAppAttempts} as set, or null
 */
public record RunAttempt(String applicationId, String attempt, String maxAttempts) {

  /** The attempt of the application {@code context} belongs to. */
  public static RunAttempt of(SparkContext context) {
    return new RunAttempt(context.applicationId(),
        context.applicationAttemptId().isDefined() ? context.applicationAttemptId().get() : null,
        context.getConf().getOption("spark.yarn.maxAppAttempts").getOrElse(() -> null));
  }

  /** The warning a restarted attempt logs (a CloudWatch metric filter can count {@code STREAM RESTARTED}). */
  public Optional<String> restartLine() {
    int number;
    try {
      number = attempt == null ? 1 : Integer.parseInt(attempt.trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (number <= 1) {
      return Optional.empty();
    }
    return Optional.of("STREAM RESTARTED: attempt " + number + (maxAttempts == null ? "" : " of at most " + maxAttempts)
        + " of YARN application " + applicationId + ": the previous attempt failed (its driver log, under the"
        + " application's logs, says why); resuming from the checkpoint, every record counted once");
  }
}
