package io.siloreports.output;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Keeps the download link stored on a COMPLETED job usable, for those who read it from {@code report_jobs} (and the
 * {@code status} command): a presigned URL lives minutes, a report far longer. When the stored URL has expired (or is
 * about to) a fresh one is presigned and stored; when the object is gone the job becomes EXPIRED
 * ({@link ReportJobLifecycle#current}).
 */
public final class ReportLinks {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** A URL with less than this left is replaced, so the person clicking it still has time. */
  private static final Duration MARGIN = Duration.ofMinutes(1);

  private final ReportJobLifecycle jobs;
  private final S3ReportOutput s3;
  private final Clock clock;

  public ReportLinks(ReportJobStore jobs, S3ReportOutput s3, Clock clock) {
    this.jobs = new ReportJobLifecycle(jobs);
    this.s3 = s3;
    this.clock = clock;
  }

  /** The job as it should be shown now: with a live URL, stored, or EXPIRED. */
  public Optional<ReportJob> current(String jobId) {
    Optional<ReportJob> stored = jobs.store().find(jobId);
    Optional<ReportJob> live = jobs.current(jobId, s3);
    if (stored.isEmpty() || live.isEmpty() || live.get().status() != JobStatus.COMPLETED) {
      return live;
    }
    Instant expiry = expiry(stored.get().s3Url());
    if (expiry != null && !expiry.minus(MARGIN).isBefore(clock.instant())) {
      return stored;
    }
    jobs.store().updateUrl(jobId, live.get().s3Url());
    return jobs.store().find(jobId);
  }

  /** When a SigV4 presigned URL stops working (X-Amz-Date + X-Amz-Expires), or null if it is not one. */
  static Instant expiry(String url) {
    if (url == null) {
      return null;
    }
    String query = URI.create(url).getRawQuery();
    if (query == null) {
      return null;
    }
    Instant date = null;
    Long seconds = null;
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String k = kv.substring(0, eq);
      String v = kv.substring(eq + 1);
      try {
        if (k.equals("X-Amz-Date")) {
          date = Instant.from(AMZ_DATE.parse(v));
        } else if (k.equals("X-Amz-Expires")) {
          seconds = Long.parseLong(v);
        }
      } catch (DateTimeParseException | NumberFormatException e) {
        return null;
      }
    }
    return date == null || seconds == null ? null : date.plusSeconds(seconds);
  }
}
