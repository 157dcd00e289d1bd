package io.siloreports.report.statistics;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One hour of one silo as the statistics read it: the exact sum of its readings (not rounded), their count, the
 * rounded minimum and maximum the sheet shows, and whether late readings revised it.
 */
public record SiloHour(
    Instant hour, BigDecimal sumExact, long count, BigDecimal min, BigDecimal max, long late, boolean revised) {

  public SiloHour {
    if (count < 1) {
      throw new IllegalArgumentException("an hour with data has at least one reading, got " + count + " at " + hour);
    }
  }

  /** The hour's exact average (sum / count), as a double for the anomaly and trend arithmetic. */
  public double average() {
    return sumExact.doubleValue() / count;
  }
}
