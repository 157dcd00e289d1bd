package io.siloreports.reportjob;

import io.siloreports.jobstore.ReportJob;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * The log context (SLF4J's MDC, log4j's thread context) that ties log lines to the HTTP request that asked for a report
 * and to its job: {@code requestId} in every line of a request, and {@code requestId} and {@code jobId} in every line
 * the worker, the notifications and the report run write about a job. Layouts show them ({@code %X{requestId}}, the
 * JSON template's {@code mdc}). A scope puts its values back as they were when closed: threads are pooled.
 */
public final class LogContext {
  public static final String REQUEST_ID = "requestId";
  public static final String JOB_ID = "jobId";
  /** What a request id may look like when a client or a proxy sends one: short and safe in a log line. */
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private LogContext() {}

  /** Restores the context as it was before the scope opened. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** A request id that came with a request ({@code X-Request-Id}) when it is well formed, else a new one. */
  public static String requestId(String incoming) {
    return incoming != null && WELL_FORMED.matcher(incoming).matches() ? incoming : newRequestId();
  }

  /** 16 random hex digits. */
  public static String newRequestId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The context of one HTTP request. */
  public static Scope ofRequest(String requestId) {
    return put(REQUEST_ID, requestId, JOB_ID, null);
  }

  /** The context of work on one job: its id and the id of the request that created it (none for others). */
  public static Scope ofJob(ReportJob job) {
    return ofJob(job.jobId(), job.requestId());
  }

  public static Scope ofJob(String jobId, String requestId) {
    return put(REQUEST_ID, requestId, JOB_ID, jobId);
  }

  private static Scope put(String key1, String value1, String key2, String value2) {
    String before1 = MDC.get(key1);
    String before2 = MDC.get(key2);
    set(key1, value1);
    set(key2, value2);
    return () -> {
      set(key1, before1);
      set(key2, before2);
    };
  }

  private static void set(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
