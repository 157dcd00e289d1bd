package io.siloreports.ingest;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * What makes a parsed record absurd. A timestamp before {@code earliest} or later than the processing
 * time plus {@code maxFutureSkew} is rejected: one reading stamped next year would otherwise push
 * {@code finalized_before} forward and turn every honest reading into a late one.
 *
 * @param maxAbsValue readings must satisfy |value| < this (the stored type is DECIMAL(12,2))
 */
public record ValidationRules(Instant earliest, Duration maxFutureSkew, BigDecimal maxAbsValue)
    implements Serializable {

  /** Null when {@code ts} is plausible at processing time {@code now}, else the reason. */
  String timestampProblem(Instant ts, Instant now) {
    if (ts.isBefore(earliest)) {
      return "absurd timestamp: " + ts + " is before " + earliest;
    }
    Instant latest = now.plus(maxFutureSkew);
    if (ts.isAfter(latest)) {
      return "absurd timestamp: " + ts + " is more than " + maxFutureSkew + " after processing time " + now;
    }
    return null;
  }
}
