package io.siloreports.report.statistics;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What the Summary says about one silo over the report's range. Values are rounded as the sheets show them (2
 * decimals, HALF_UP); the average is the exact sum of all readings over their count, rounded once.
 *
 * @param hoursWithoutData hours of the range (before the cut-off) in which the silo has no reading
 * @param minHour the first hour whose minimum is {@code min}; {@code maxHour} likewise
 * @param stale no reading within {@link StatisticsSettings#staleAfter()} before the range's end (or none at all)
 * @param trend null when the last days of the range hold too few hours to fit a line
 * @param status a short note for people: empty, or "no data in range", or when the newest reading is too old
 */
public record SiloSummary(
    int siloId,
    long readings,
    long hoursWithData,
    long hoursWithoutData,
    BigDecimal sumExact,
    BigDecimal average,
    BigDecimal min,
    Instant minHour,
    BigDecimal max,
    Instant maxHour,
    Instant firstHour,
    Instant lastHour,
    long lateReadings,
    long revisedHours,
    boolean stale,
    int anomalies,
    Trend trend,
    String status) {

  public boolean hasData() {
    return readings > 0;
  }
}
