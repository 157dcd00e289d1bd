package io.siloreports.reportjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A failed report's reason names what went wrong and, for memory, which setting to change. */
class FailureReasonsTest {
  @Test
  void memoryRunningOutSaysWhatWhereAndWhichSetting() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    oom.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("org.apache.poi.xssf.streaming.SXSSFSheet", "createRow", "SXSSFSheet.java", 1)});
    String reason = FailureReasons.describe(new IllegalStateException("writing failed", new RuntimeException(oom)));
    assertTrue(reason.startsWith("out of memory (Java heap space) in org.apache.poi.xssf.streaming.SXSSFSheet.createRow"
        + " with a driver heap of "), reason);
    assertTrue(reason.contains("JAVA_OPTS=-Xmx") && reason.contains("spark.driver.memory"), reason);
  }

  @Test
  void otherFailuresGiveTheExceptionAndItsRootCause() {
    assertEquals("IllegalStateException: cannot store (caused by IOException: disk full)",
        FailureReasons.describe(new IllegalStateException("cannot store\nstack", new IOException("disk full"))));
  }
}
