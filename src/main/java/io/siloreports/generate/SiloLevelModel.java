package io.siloreports.generate;

import java.util.SplittableRandom;

/**
 * Fill level (percent) of each silo, minute by minute: a per-silo base level, a slow mean-reverting drift
 * (days), a daily cycle and measurement noise, clamped to 0..100. State is a few numbers per silo, so
 * thousands of silos cost nothing.
 */
final class SiloLevelModel {

  static final double MIN_LEVEL = 0;
  static final double MAX_LEVEL = 100;

  /** The drift forgets its past over about three days... */
  private static final double DRIFT_REVERSION_PER_MINUTE = 1.0 / (3 * 24 * 60);
  /** ...and wanders about +-8 points around the base (its stationary standard deviation). */
  private static final double DRIFT_STEP =
      8 * Math.sqrt(2 * DRIFT_REVERSION_PER_MINUTE);

  private final double[] base;
  private final double[] dailyAmplitude;
  private final double[] dailyPhaseMinutes;
  private final double[] noise;
  private final double[] drift;

  SiloLevelModel(int silos, SplittableRandom random) {
    base = new double[silos];
    dailyAmplitude = new double[silos];
    dailyPhaseMinutes = new double[silos];
    noise = new double[silos];
    drift = new double[silos];
    for (int s = 0; s < silos; s++) {
      base[s] = 25 + 60 * random.nextDouble();
      dailyAmplitude[s] = 2 + 6 * random.nextDouble();
      dailyPhaseMinutes[s] = 1440 * random.nextDouble();
      noise[s] = 0.2 + 0.6 * random.nextDouble();
      drift[s] = 8 * random.nextGaussian();
    }
  }

  /**
   * Moves silo {@code siloIndex} (0-based) on by one minute and returns its level at {@code epochMinute}.
   * Call it for every minute, also where no reading is written, so a gap does not change what follows.
   */
  double nextMinute(int siloIndex, long epochMinute, SplittableRandom random) {
    drift[siloIndex] += -drift[siloIndex] * DRIFT_REVERSION_PER_MINUTE + DRIFT_STEP * random.nextGaussian();
    double minuteOfDay = Math.floorMod(epochMinute, 1440);
    double daily =
        dailyAmplitude[siloIndex] * Math.sin(2 * Math.PI * (minuteOfDay - dailyPhaseMinutes[siloIndex]) / 1440);
    double level = base[siloIndex] + drift[siloIndex] + daily + noise[siloIndex] * random.nextGaussian();
    return Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, level));
  }

  /** A plausible level without moving the model on: for late readings written after the main pass. */
  double plausibleLevel(int siloIndex, SplittableRandom random) {
    double level = base[siloIndex] + noise[siloIndex] * random.nextGaussian();
    return Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, level));
  }

  /** Half-up to whole hundredths. */
  static long toCents(double level) {
    return Math.round(level * 100);
  }
}
