package io.siloreports.generate;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What {@link SampleDataGenerator} writes: {@code silos} silos (ids 1..silos) reporting once a minute and
 * {@code accounts} accounts emitting activity events, over the {@code days} x 24 hours that end at
 * {@code end} (exclusive); {@code badPerKind} bad records of each kind and {@code latePerPipeline} late
 * records for each pipeline. The same spec always produces the same bytes.
 */
public record GeneratorSpec(
    int silos, int days, Instant end, int accounts, long seed, int badPerKind, int latePerPipeline) {

  public GeneratorSpec {
    require(silos >= 1, "silos must be at least 1, got " + silos);
    require(days >= 1, "days must be at least 1, got " + days);
    require(accounts >= 1, "accounts must be at least 1, got " + accounts);
    require(badPerKind >= 0, "badPerKind must not be negative, got " + badPerKind);
    require(latePerPipeline >= 0, "latePerPipeline must not be negative, got " + latePerPipeline);
    require(end != null, "end is required");
    // Readings fall at a random moment inside each minute, so the range must be whole minutes.
    require(end.equals(end.truncatedTo(ChronoUnit.MINUTES)), "end must be a whole minute, got " + end);
  }

  /** Inclusive start of the generated range. */
  public Instant start() {
    return end.minus(Duration.ofDays(days));
  }

  /** {@link #start()} in minutes since the epoch, the generator's unit of time. */
  long startMinute() {
    return start().getEpochSecond() / 60;
  }

  /** {@link #end()} in minutes since the epoch. */
  long endMinute() {
    return end.getEpochSecond() / 60;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
