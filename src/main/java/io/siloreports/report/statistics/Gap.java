package io.siloreports.report.statistics;

import java.time.Instant;

/** Hours {@code from} (inclusive) to {@code to} (exclusive) of the range in which a silo has no reading. */
public record Gap(int siloId, Instant from, Instant to) {
  public long hours() {
    return java.time.Duration.between(from, to).toHours();
  }
}
