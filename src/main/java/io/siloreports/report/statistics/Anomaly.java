package io.siloreports.report.statistics;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An hour (or, for a flat line, a run of hours) of a silo that departs from the silo's own behaviour.
 *
 * @param hours 1, or the length of a flat line starting at {@code hour}
 * @param average the hour's average, rounded as the sheet shows it
 * @param change the change from the previous hour's average (null for a flat line)
 * @param score how many robust standard deviations the change is from the silo's median change (0 for a flat line)
 */
public record Anomaly(
    int siloId, Instant hour, Kind kind, int hours, BigDecimal average, BigDecimal change, double score,
    String reason) {

  /** What kind of departure. */
  public enum Kind {
    /** Up and straight back down (or down and back up) over two changes. */
    SPIKE,
    /** A change up that stays. */
    JUMP,
    /** A change down that stays. */
    DROP,
    /** Readings that stopped changing. */
    FLAT;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
