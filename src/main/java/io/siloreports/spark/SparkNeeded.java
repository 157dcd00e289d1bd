package io.siloreports.spark;

/**
 * Thrown by a session source that must not start Spark (a warm runner's): the report needs Spark, so the run hands its
 * job to one that has it (spark-submit) instead of starting Spark in a JVM kept for reports that need none.
 */
public final class SparkNeeded extends RuntimeException {
  public SparkNeeded(String what) {
    super(what + " needs Spark, which this runner does not start");
  }

  /** The {@link SparkNeeded} in {@code e}'s causes, or null. */
  public static SparkNeeded in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkNeeded s) {
        return s;
      }
    }
    return null;
  }
}
