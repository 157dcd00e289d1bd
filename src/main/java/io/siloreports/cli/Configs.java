package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.ProgressRule;
import java.math.BigDecimal;
import java.util.Map;

/** Values several typed configs read the same way: database connections, validation rules, Spark settings. */
final class Configs {
  private Configs() {}

  /** The MySQL database of {@code db.*}, or null when {@code db.url} is not set. */
  static Jdbc db(Settings s) {
    return s.find(Keys.DB_URL)
        .map(url -> new Jdbc(url, s.find(Keys.DB_USER).orElse(null), s.find(Keys.DB_PASSWORD).orElse(null)))
        .orElse(null);
  }

  /** The MySQL database of {@code db.*}; fails naming {@code db.url} when it is missing. */
  static Jdbc requiredDb(Settings s, String why) {
    Jdbc db = db(s);
    if (db == null) {
      throw new IllegalArgumentException(why + " but db.url is not set (set it, or "
          + Keys.DB_URL.envName() + ")");
    }
    return db;
  }

  /** The {@code report_jobs} database of {@code jobstore.*}. */
  static Jdbc jobStore(Settings s) {
    return new Jdbc(s.get(Keys.JOBSTORE_URL), s.find(Keys.JOBSTORE_USER).orElse(null),
        s.find(Keys.JOBSTORE_PASSWORD).orElse(null));
  }

  static ValidationRules rules(Settings s) {
    String maxAbs = s.get(Keys.VALIDATION_MAX_ABS_VALUE);
    BigDecimal max;
    try {
      max = new BigDecimal(maxAbs);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting 'validation.max-abs-value' has an invalid value '" + maxAbs
          + "': expected a number", e);
    }
    return new ValidationRules(s.get(Keys.VALIDATION_EARLIEST), s.get(Keys.VALIDATION_MAX_FUTURE_SKEW), max,
        s.get(Keys.VALIDATION_MAX_ACCOUNT_ID_LENGTH));
  }

  /** When hours become final and when they close for revision ({@code stream.*}). */
  static ProgressRule.Lateness lateness(Settings s) {
    try {
      return new ProgressRule.Lateness(s.get(Keys.STREAM_ALLOWED_LATENESS), s.get(Keys.STREAM_MAX_REVISION_AGE));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("settings 'stream.allowed-lateness' and 'stream.max-revision-age': "
          + e.getMessage(), e);
    }
  }

  /** Every {@code spark.*} setting, for the SparkSession. */
  static Map<String, String> sparkConf(Settings s) {
    return s.withPrefix("spark.");
  }
}
