package io.siloreports.report.statistics;

import java.time.Duration;

/**
 * How the report judges its silos.
 *
 * @param anomalyThreshold an hour-to-hour change of the hourly average is an anomaly when it is more than this many
 *     robust standard deviations (1.4826 x the median absolute deviation of the silo's changes) from their median
 * @param flatHours this many adjacent hours or more whose readings all have one and the same value are a flat line
 * @param staleAfter a silo whose newest reading is older than this at the end of the range is stale
 * @param fullLevel the value of a full silo, for "days to full"; null: no days to full
 * @param chartMaxSilos the Summary gets a chart of every silo's hourly average when the report has at most this many
 *     silos (0: never)
 * @param charts whether silo sheets get a chart
 */
public record StatisticsSettings(
    double anomalyThreshold, int flatHours, Duration staleAfter, Double fullLevel, int chartMaxSilos,
    boolean charts) {

  /** The settings' defaults, for tests and tools. */
  public static final StatisticsSettings DEFAULTS =
      new StatisticsSettings(6.0, 6, Duration.ofHours(6), 100.0, 12, true);

  public StatisticsSettings {
    if (!(anomalyThreshold > 0) || Double.isInfinite(anomalyThreshold)) {
      throw new IllegalArgumentException("report.anomaly.threshold must be a positive number, got " + anomalyThreshold);
    }
    if (flatHours < 2) {
      throw new IllegalArgumentException("report.anomaly.flat-hours must be at least 2, got " + flatHours);
    }
    if (staleAfter == null || staleAfter.isNegative() || staleAfter.isZero()) {
      throw new IllegalArgumentException("report.stale-after must be a positive duration, got " + staleAfter);
    }
    if (fullLevel != null && (fullLevel.isNaN() || fullLevel.isInfinite())) {
      throw new IllegalArgumentException("report.trend.full-level must be a number, got " + fullLevel);
    }
    if (chartMaxSilos < 0) {
      throw new IllegalArgumentException("report.chart.max-silos must be 0 or more, got " + chartMaxSilos);
    }
  }
}
