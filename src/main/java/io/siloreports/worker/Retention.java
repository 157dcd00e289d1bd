package io.siloreports.worker;

import io.siloreports.jobstore.ReportJob;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long reports and job rows are kept: a worker's duty, every {@code interval}. Reports finished longer than
 * {@code reportAge} ago are deleted from the output (local or S3) and their jobs end EXPIRED (the reason in their
 * history); jobs that ended (COMPLETED, FAILED, EXPIRED) and were last changed longer than {@code jobAge} ago are
 * deleted with their history. Either age may be null: kept for ever. An S3 lifecycle rule on the report prefix
 * ({@code deploy/emr/s3-lifecycle.json}) is the safety net for a bucket no worker looks after.
 */
public final class Retention implements Duty {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  private final ReportJobLifecycle jobs;
  private final ReportOutput output;
  private final Duration reportAge;
  private final Duration jobAge;
  private final Duration interval;
  private Instant lastRun = Instant.MIN;

  public Retention(ReportJobLifecycle jobs, ReportOutput output, Duration reportAge, Duration jobAge, Duration interval) {
    if (reportAge != null && jobAge != null && jobAge.compareTo(reportAge) < 0) {
      throw new IllegalArgumentException("retention.job-age (" + jobAge + ") must not be shorter than"
          + " retention.report-age (" + reportAge + "): a job row would go before its report");
    }
    this.jobs = jobs;
    this.output = output;
    this.reportAge = reportAge;
    this.jobAge = jobAge;
    this.interval = interval;
  }

  @Override
  public void run(Instant now) {
    if (now.isBefore(lastRun.plus(interval))) {
      return;
    }
    lastRun = now;
    int expired = 0;
    if (reportAge != null) {
      for (ReportJob job : jobs.store().completedBefore(now.minus(reportAge), 500)) {
        try {
          output.delete(job.s3Key());
        } catch (Exception e) {
          LOG.warn("retention: cannot delete the report of {} ({}): {}; trying again later", job.jobId(), job.s3Key(),
              e.getMessage());
          continue;
        }
        if (jobs.expire(job.jobId(), "deleted by retention: older than " + reportAge)) {
          expired++;
        }
      }
    }
    int pruned = jobAge == null ? 0 : jobs.store().prune(now.minus(jobAge));
    if (expired > 0 || pruned > 0) {
      LOG.info("retention: {} report(s) older than {} deleted (jobs EXPIRED), {} job row(s) older than {} pruned",
          expired, reportAge, pruned, jobAge);
    }
  }

  @Override
  public String describe() {
    return "retention (reports " + (reportAge == null ? "kept" : reportAge) + ", job rows "
        + (jobAge == null ? "kept" : jobAge) + ")";
  }
}
