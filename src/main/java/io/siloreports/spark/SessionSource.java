package io.siloreports.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where a job gets its SparkSession: its own ({@link SparkSessions#create}), or one that already exists and whose
 * settings are not the job's to change (spark-shell's).
 */
@FunctionalInterface
public interface SessionSource {
  SparkSession session(String appName, Map<String, String> sparkConf);

  /** The session that already exists and will be used as it is (a shell's), if this source has one. */
  default java.util.Optional<SparkSession> existing() {
    return java.util.Optional.empty();
  }

  /** The given session, as it is: the job's {@code spark.*} settings are not applied to it. */
  static SessionSource given(SparkSession spark) {
    return new SessionSource() {
      @Override
      public SparkSession session(String appName, Map<String, String> sparkConf) {
        return spark;
      }

      @Override
      public java.util.Optional<SparkSession> existing() {
        return java.util.Optional.of(spark);
      }
    };
  }
}
