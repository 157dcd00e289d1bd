package io.siloreports.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One local SparkSession for the whole test JVM (surefire runs test classes in one fork), started on first
 * use: a session costs ~2 s to start, so test classes share it instead of building their own.
 */
public final class LocalSpark {
  private static SparkSession session;

  private LocalSpark() {}

  public static synchronized SparkSession get() {
    if (session == null || session.sparkContext().isStopped()) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("silo-reports-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.sql.session.timeZone", "UTC")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.streaming.stopTimeout", "30s")
              .getOrCreate();
    }
    return session;
  }
}
