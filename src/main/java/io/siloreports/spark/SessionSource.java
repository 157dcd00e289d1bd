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

  /** The given session, as it is: the job's {@code spark.*} settings are not applied to it. */
  static SessionSource given(SparkSession spark) {
    return (appName, sparkConf) -> spark;
  }
}
