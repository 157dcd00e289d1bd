package io.siloreports.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the one SparkSession of a job: spark-submit's settings win; plain {@code java} runs get local[*]. */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession create(String appName, Map<String, String> sparkConf) {
    SparkConf conf = new SparkConf(); // picks up spark.* system properties set by spark-submit
    SparkSession.Builder b = SparkSession.builder().appName(appName);
    sparkConf.forEach(b::config);
    if (!conf.contains("spark.master") && !sparkConf.containsKey("spark.master")) {
      b.master("local[*]");
      if (!sparkConf.containsKey("spark.ui.enabled")) {
        b.config("spark.ui.enabled", "false");
      }
    }
    // Hours and buckets are UTC everywhere; the session zone only affects formatting, but keep it UTC.
    b.config("spark.sql.session.timeZone", "UTC");
    return b.getOrCreate();
  }
}
