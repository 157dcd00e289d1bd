package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.output.ReportLinks;
import io.siloreports.output.S3ReportOutput;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.spark.SessionSource;
import io.siloreports.store.ProgressStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * {@code status}: the stream's progress per pipeline and the report jobs (one in detail with {@code --job-id}, with a
 * fresh presigned URL when the stored one expired). Reaps jobs stuck in PROCESSING first, so what it shows is
 * final. No Spark needed.
 */
final class StatusCommand extends Command {
  StatusCommand() {
    super("status", "show the stream's progress and the report jobs (--job-id ID: one job in detail)", CONSOLE,
        "job-id", Keys.REPORT_JOB_ID,
        "limit", Keys.STATUS_LIMIT,
        "warehouse", Keys.WAREHOUSE_DIR);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    StatusConfig config = StatusConfig.from(settings);
    Clock clock = Clock.systemUTC();
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), config.migrateOnStart(), clock)) {
      int reaped = new ReportJobLifecycle(jobs).reapStuck(config.processingTimeout());
      if (reaped > 0) {
        System.out.println("reaped " + reaped + " job(s) stuck in PROCESSING -> FAILED");
      }
      if (config.jobId() != null) {
        Optional<ReportJob> job;
        if (config.output().s3() == null) {
          job = jobs.find(config.jobId());
        } else {
          try (S3ReportOutput out = new S3ReportOutput(config.output().s3())) {
            job = new ReportLinks(jobs, out, clock).current(config.jobId());
          }
        }
        if (job.isEmpty()) {
          return new Done(false, "no report job '" + config.jobId() + "'");
        }
        printDetail(job.get());
        printEvents(jobs.events(job.get().jobId()));
        return new Done(true, "");
      }
      printProgress(config);
      List<ReportJob> list = jobs.list(config.limit());
      System.out.println();
      System.out.printf("%-28s %-10s %-24s %-24s %s%n", "job_id", "status", "created_at", "finished_at", "url / error");
      for (ReportJob j : list) {
        System.out.printf("%-28s %-10s %-24s %-24s %s%n", j.jobId(), j.status(), j.createdAt(),
            j.finishedAt() == null ? "-" : j.finishedAt(),
            j.errorMessage() != null ? j.errorMessage() : j.s3Url() == null ? "-" : shown(j.s3Url()));
      }
      if (list.isEmpty()) {
        System.out.println("(no report jobs yet)");
      }
      return new Done(true, "");
    }
  }

  private static void printProgress(StatusConfig config) {
    if (config.store().mysql()) {
      Wiring.prepareAggregates(config.store().db(), config.migrateOnStart());
    }
    ProgressStore progress = Wiring.progressStore(config.store(), config.sparkConf());
    System.out.printf("%-16s %-6s %-22s %-26s %10s %12s %6s %8s  %s%n",
        "pipeline", "batch", "finalized_before", "max_event_time", "merged", "of them late", "bad", "too late",
        "closed before / position");
    for (Pipeline p : Pipeline.values()) {
      Optional<AggregationProgress> pr = progress.last(p);
      if (pr.isEmpty()) {
        System.out.printf("%-16s (no batch committed in %s)%n", p.id, config.store().describe());
      } else {
        AggregationProgress a = pr.get();
        System.out.printf("%-16s %-6d %-22s %-26s %10d %12d %6d %8d  %s%n", p.id, a.batchId(), a.finalizedBefore(),
            a.maxEventTime(), a.validTotal(), a.lateTotal(), a.badTotal(), a.tooLateTotal(),
            (a.closedBefore() == null ? "-" : a.closedBefore()) + (a.sourcePosition() == null ? ""
                : " / " + (a.sourcePosition().length() > 60 ? a.sourcePosition().substring(0, 57) + "..."
                    : a.sourcePosition())));
      }
    }
  }

  /** A signed link to a person at a terminal; without its signature where the output is captured (step logs). */
  private static String shown(String url) {
    return System.console() != null ? url : ReportOutput.unsigned(url);
  }

  private static void printEvents(List<JobEvent> events) {
    System.out.println("history:");
    for (JobEvent e : events) {
      System.out.printf("  %-24s %-10s -> %-10s %s%s%n", e.at(), e.from() == null ? "(new)" : e.from(), e.to(),
          e.actor(), e.detail() == null ? "" : ": " + e.detail());
    }
  }

  private static void printDetail(ReportJob j) {
    System.out.println("job_id:        " + j.jobId());
    System.out.println("status:        " + j.status());
    System.out.println("report_type:   " + j.reportType());
    System.out.println("params:        " + j.params());
    System.out.println("created_at:    " + j.createdAt());
    System.out.println("started_at:    " + j.startedAt());
    System.out.println("finished_at:   " + j.finishedAt());
    if (j.requestedBy() != null) {
      System.out.println("requested_by:  " + j.requestedBy());
    }
    if (j.submitRef() != null) {
      System.out.println("submitted:     " + j.submittedAt() + " (" + j.submitRef() + ")");
    }
    if (j.s3Key() != null) {
      System.out.println("key:           " + j.s3Key());
      System.out.println("url:           " + shown(j.s3Url()));
    }
    if (j.errorMessage() != null) {
      System.out.println("error_message: " + j.errorMessage());
    }
  }
}
