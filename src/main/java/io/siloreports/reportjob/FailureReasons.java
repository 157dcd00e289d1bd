package io.siloreports.reportjob;

/**
 * The reason a failed job records: one line a person can act on, the exception and its root cause without Spark's
 * plan dumps, and for an out-of-memory error where it happened and which setting gives the driver more memory.
 */
public final class FailureReasons {
  private FailureReasons() {}

  public static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof OutOfMemoryError oom) {
        StackTraceElement at = oom.getStackTrace().length > 0 ? oom.getStackTrace()[0] : null;
        return "out of memory (" + firstLine(oom.getMessage()) + ")"
            + (at == null ? "" : " in " + at.getClassName() + "." + at.getMethodName())
            + " with a driver heap of " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB: give the report's"
            + " driver more memory (JAVA_OPTS=-Xmx2g for jobs/silo-reports, --driver-memory or spark.driver.memory"
            + " with spark-submit and EMR steps)";
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String top = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    return root == e ? top : top + " (caused by " + root.getClass().getSimpleName() + ": "
        + firstLine(root.getMessage()) + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }
}
