package io.siloreports.report;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches, while a report runs, that its job is still PROCESSING. A job ended meanwhile (timed out and failed by the
 * worker or a reaper, whose cancellation may not reach this process: a YARN driver, an EMR Serverless run) stops the
 * run at the next row it writes, and Spark's jobs of this JVM are cancelled: nothing runs on orphaned, whatever runs
 * the report. A check that cannot reach the job store is skipped (the store's outage is not the job's end).
 */
final class JobWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobWatch.class);

  private final ReportJobStore jobs;
  private final String jobId;
  private final ScheduledExecutorService checks;
  private volatile String ended;

  JobWatch(ReportJobStore jobs, String jobId, Duration interval) {
    this.jobs = jobs;
    this.jobId = jobId;
    this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "report-job-watch");
      t.setDaemon(true);
      return t;
    });
    checks.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    Optional<ReportJob> job;
    try {
      job = jobs.find(jobId);
    } catch (RuntimeException e) {
      return; // the job store is away: the run goes on, and records its end once it is back
    }
    if (job.isPresent() && job.get().status() == JobStatus.PROCESSING) {
      return;
    }
    ended = "report job " + jobId + " was ended while its report ran ("
        + job.map(j -> j.status() + (j.errorMessage() == null ? "" : ": " + j.errorMessage())).orElse("deleted")
        + "); the run stops";
    LOG.warn(ended);
    SparkSession.getDefaultSession().foreach(s -> {
      s.sparkContext().cancelAllJobs(); // a Spark read or sort of this report's stops too
      return null;
    });
    checks.shutdown();
  }

  /** {@code writer}, stopping at the next row once the job has ended elsewhere. */
  WorkbookWriter watching(WorkbookWriter writer) {
    return new WorkbookWriter() {
      @Override
      public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
          throws IOException {
        return writer.write(header, new Iterator<>() {
          @Override
          public boolean hasNext() {
            if (ended != null) {
              throw new IllegalStateException(ended);
            }
            return rows.hasNext();
          }

          @Override
          public FinalHourlyRow next() {
            return rows.next();
          }
        }, silos, target);
      }
    };
  }

  @Override
  public void close() {
    checks.shutdownNow();
  }
}
