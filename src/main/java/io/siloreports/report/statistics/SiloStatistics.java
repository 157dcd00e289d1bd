package io.siloreports.report.statistics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics of one silo over a report's range, from its hours in order. Pure: no Spark, no files.
 *
 * <p>Anomalies, the documented rule: take the changes of the exact hourly average between adjacent hours (a gap
 * breaks the chain; the gap is reported as a gap), leaving out the changes inside a flat line. With m their median and
 * s = 1.4826 x their median absolute deviation (when that is 0: 1.2533 x their mean absolute deviation; when that is
 * 0 too, no change is an anomaly), a change whose score |change - m| / s exceeds the threshold is an anomaly of its
 * later hour: a SPIKE when the next change is also one, of the opposite sign and at least half its size (one anomaly,
 * at the hour that departed), else a JUMP (up) or DROP (down). With fewer than {@value #MIN_CHANGES} changes no score
 * is computed. A FLAT line is a run of at least {@code flatHours} adjacent hours in which every reading has the same
 * value (minimum = maximum, equal across the run). Median and MAD make the rule robust: the anomalies themselves do
 * not widen what counts as normal, as they would a standard deviation.
 */
public final class SiloStatistics {
  /** Days at the end of the range over which the trend is fitted. */
  public static final int TREND_DAYS = 7;
  /** Fewer hours than this in the trend window give no trend. */
  public static final int MIN_TREND_HOURS = 6;
  /** Fewer hour-to-hour changes than this give no change scores. */
  public static final int MIN_CHANGES = 8;

  private static final double MAD_TO_SIGMA = 1.4826;
  private static final double MEAN_AD_TO_SIGMA = 1.2533;
  private static final long HOUR_SECONDS = 3600;

  private SiloStatistics() {}

  /**
   * @param hours the silo's hours with data, in hour order, each once
   * @param from the range's first hour
   * @param end hours starting before this count (the range's end, or the end of the cut-off's hour if earlier)
   * @param asOf the instant the range ends at (its end, or the cut-off if earlier): staleness is measured from it
   */
  public static SiloAnalysis analyze(
      int siloId, List<SiloHour> hours, Instant from, Instant end, Instant asOf, StatisticsSettings settings) {
    long hoursInRange = Math.max(0, Duration.between(from, end).toHours());
    if (hours.isEmpty()) {
      List<Gap> gaps = hoursInRange > 0 ? List.of(new Gap(siloId, from, end)) : List.of();
      SiloSummary empty = new SiloSummary(siloId, 0, 0, hoursInRange, BigDecimal.ZERO, null, null, null, null, null,
          null, null, 0, 0, true, 0, null, "no data in range");
      return new SiloAnalysis(empty, List.of(), gaps, Map.of());
    }

    long readings = 0;
    long late = 0;
    long revised = 0;
    long inRange = 0;
    BigDecimal sum = BigDecimal.ZERO;
    SiloHour minAt = null;
    SiloHour maxAt = null;
    List<Gap> gaps = new ArrayList<>();
    Instant expected = from; // the next hour of the range not yet seen
    Instant previous = null;
    for (SiloHour h : hours) {
      if (previous != null && !h.hour().isAfter(previous)) {
        throw new IllegalArgumentException("silo " + siloId + ": hour " + h.hour() + " after " + previous
            + ": hours must be in order, each once");
      }
      previous = h.hour();
      readings += h.count();
      late += h.late();
      if (h.revised() || h.late() > 0) {
        revised++;
      }
      sum = sum.add(h.sumExact());
      if (h.min() != null && (minAt == null || h.min().compareTo(minAt.min()) < 0)) {
        minAt = h;
      }
      if (h.max() != null && (maxAt == null || h.max().compareTo(maxAt.max()) > 0)) {
        maxAt = h;
      }
      if (!h.hour().isBefore(from) && h.hour().isBefore(end)) {
        inRange++;
        if (h.hour().isAfter(expected)) {
          gaps.add(new Gap(siloId, expected, h.hour()));
        }
        expected = h.hour().plus(1, ChronoUnit.HOURS);
      }
    }
    if (expected.isBefore(end)) {
      gaps.add(new Gap(siloId, expected, end));
    }

    Instant lastHour = hours.get(hours.size() - 1).hour();
    Instant newestBefore = lastHour.plus(1, ChronoUnit.HOURS); // the newest reading is before the end of its hour
    boolean stale = !newestBefore.plus(settings.staleAfter()).isAfter(asOf);

    Map<Instant, String> flags = new HashMap<>();
    List<Anomaly> anomalies = anomalies(siloId, hours, settings, flags);
    Trend trend = trend(hours, end, settings.fullLevel());
    String status = stale ? "stale: no reading since " + newestBefore + " (older than " + settings.staleAfter() + ")"
        : "";
    SiloSummary summary = new SiloSummary(siloId, readings, inRange, hoursInRange - inRange, sum,
        sum.divide(BigDecimal.valueOf(readings), 2, RoundingMode.HALF_UP),
        minAt == null ? null : minAt.min(), minAt == null ? null : minAt.hour(),
        maxAt == null ? null : maxAt.max(), maxAt == null ? null : maxAt.hour(),
        hours.get(0).hour(), lastHour, late, revised, stale, anomalies.size(), trend, status);
    return new SiloAnalysis(summary, anomalies, gaps, flags);
  }

  /** The anomalies in hour order (flat lines at their first hour); fills {@code flags}. */
  static List<Anomaly> anomalies(int siloId, List<SiloHour> hours, StatisticsSettings settings,
      Map<Instant, String> flags) {
    int n = hours.size();
    boolean[] inFlat = new boolean[n];
    List<Anomaly> found = new ArrayList<>();
    // Flat lines first: their changes (all 0) are left out of the scores.
    for (int i = 0; i < n; ) {
      int j = i;
      if (constant(hours.get(i))) {
        while (j + 1 < n && adjacent(hours.get(j), hours.get(j + 1)) && constant(hours.get(j + 1))
            && hours.get(j + 1).min().compareTo(hours.get(i).min()) == 0) {
          j++;
        }
      }
      int length = j - i + 1;
      if (length >= settings.flatHours()) {
        SiloHour first = hours.get(i);
        found.add(new Anomaly(siloId, first.hour(), Anomaly.Kind.FLAT, length, first.min(), null, 0,
            "flat: every reading " + first.min().toPlainString() + " for " + length + " hours, "
                + first.hour() + " to " + hours.get(j).hour().plus(1, ChronoUnit.HOURS)));
        for (int k = i; k <= j; k++) {
          inFlat[k] = true;
          flags.put(hours.get(k).hour(), Anomaly.Kind.FLAT.label());
        }
      }
      i = j + 1;
    }

    // Changes between adjacent hours, outside flat lines.
    double[] change = new double[n]; // change[i]: from hour i-1 to hour i
    boolean[] hasChange = new boolean[n];
    double[] pool = new double[n];
    int m = 0;
    for (int i = 1; i < n; i++) {
      if (adjacent(hours.get(i - 1), hours.get(i)) && !(inFlat[i - 1] && inFlat[i])) {
        change[i] = hours.get(i).average() - hours.get(i - 1).average();
        hasChange[i] = true;
        pool[m++] = change[i];
      }
    }
    if (m >= MIN_CHANGES) {
      double[] values = Arrays.copyOf(pool, m);
      double median = median(values);
      double[] deviations = new double[m];
      double meanDeviation = 0;
      for (int k = 0; k < m; k++) {
        deviations[k] = Math.abs(values[k] - median);
        meanDeviation += deviations[k];
      }
      meanDeviation /= m;
      double scale = MAD_TO_SIGMA * median(deviations);
      if (scale == 0) {
        scale = MEAN_AD_TO_SIGMA * meanDeviation;
      }
      if (scale > 0) {
        double threshold = settings.anomalyThreshold();
        for (int i = 1; i < n; i++) {
          if (!hasChange[i]) {
            continue;
          }
          double score = Math.abs(change[i] - median) / scale;
          if (score <= threshold) {
            continue;
          }
          SiloHour h = hours.get(i);
          boolean spike = i + 1 < n && hasChange[i + 1]
              && Math.abs(change[i + 1] - median) / scale > threshold
              && Math.signum(change[i + 1]) == -Math.signum(change[i])
              && Math.abs(change[i + 1]) >= 0.5 * Math.abs(change[i]);
          Anomaly.Kind kind = spike ? Anomaly.Kind.SPIKE : change[i] > 0 ? Anomaly.Kind.JUMP : Anomaly.Kind.DROP;
          BigDecimal rounded = BigDecimal.valueOf(change[i]).setScale(2, RoundingMode.HALF_UP);
          String what = switch (kind) {
            case SPIKE -> "spike: " + signed(rounded) + " from the hour before and "
                + signed(BigDecimal.valueOf(change[i + 1]).setScale(2, RoundingMode.HALF_UP)) + " the hour after";
            case JUMP -> "jump: " + signed(rounded) + " from the hour before";
            default -> "drop: " + signed(rounded) + " from the hour before";
          };
          double roundedScore = Math.round(score * 10) / 10.0;
          found.add(new Anomaly(siloId, h.hour(), kind, 1, average(h), rounded, roundedScore,
              what + " (score " + roundedScore + " > " + threshold + "; typical change "
                  + BigDecimal.valueOf(median).setScale(2, RoundingMode.HALF_UP).toPlainString() + " +/- "
                  + BigDecimal.valueOf(scale).setScale(2, RoundingMode.HALF_UP).toPlainString() + ")"));
          flags.putIfAbsent(h.hour(), kind.label());
          if (spike) {
            i++; // the way back is part of the spike
          }
        }
      }
    }
    found.sort(java.util.Comparator.comparing(Anomaly::hour));
    return found;
  }

  /** Least squares over the hours of the last {@link #TREND_DAYS} days before {@code end}. */
  static Trend trend(List<SiloHour> hours, Instant end, Double fullLevel) {
    Instant windowStart = end.minus(TREND_DAYS, ChronoUnit.DAYS);
    double sx = 0;
    double sy = 0;
    int count = 0;
    for (SiloHour h : hours) {
      if (!h.hour().isBefore(windowStart) && h.hour().isBefore(end)) {
        sx += days(h.hour(), windowStart);
        sy += h.average();
        count++;
      }
    }
    if (count < MIN_TREND_HOURS) {
      return null;
    }
    double mx = sx / count;
    double my = sy / count;
    double sxy = 0;
    double sxx = 0;
    SiloHour last = null;
    for (SiloHour h : hours) {
      if (!h.hour().isBefore(windowStart) && h.hour().isBefore(end)) {
        double dx = days(h.hour(), windowStart) - mx;
        sxy += dx * (h.average() - my);
        sxx += dx * dx;
        last = h;
      }
    }
    double slope = sxy / sxx;
    double level = last.average();
    Double toEmpty = slope < 0 && level > 0 ? level / -slope : null;
    Double toFull = fullLevel != null && slope > 0 && level < fullLevel ? (fullLevel - level) / slope : null;
    return new Trend(slope, count, toEmpty, toFull);
  }

  private static double days(Instant hour, Instant origin) {
    return (hour.getEpochSecond() - origin.getEpochSecond()) / (24.0 * HOUR_SECONDS);
  }

  private static boolean adjacent(SiloHour a, SiloHour b) {
    return b.hour().getEpochSecond() - a.hour().getEpochSecond() == HOUR_SECONDS;
  }

  private static boolean constant(SiloHour h) {
    return h.min() != null && h.max() != null && h.min().compareTo(h.max()) == 0;
  }

  private static BigDecimal average(SiloHour h) {
    return h.sumExact().divide(BigDecimal.valueOf(h.count()), 2, RoundingMode.HALF_UP);
  }

  private static String signed(BigDecimal v) {
    return (v.signum() > 0 ? "+" : "") + v.toPlainString();
  }

  /** The median of {@code values} (sorted in place). */
  static double median(double[] values) {
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
