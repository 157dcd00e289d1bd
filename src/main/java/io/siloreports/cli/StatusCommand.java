package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import io.siloreports.jobstore.JobStores;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.report.output.ReportLinks;
import io.siloreports.report.output.S3ReportOutput;
import io.siloreports.store.MySqlAggregateStore;
import io.siloreports.store.ProgressLog;
import java.time.Clock;
import java.util.function.Function;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * The {@code status} command: the stream's progress per pipeline and the report jobs (one in detail with
 * {@code --job-id}). Reaps jobs stuck in PROCESSING first, so what it shows is final. No Spark needed.
 */
final class StatusCommand {
  static final Map<String, String> FLAGS =
      Map.of("job-id", "report.job-id", "limit", "status.limit", "warehouse", "warehouse.dir");

  private StatusCommand() {}

  static int run(String[] args) throws Exception {
    Settings s = Settings.load(List.of(args), FLAGS, System.getenv());
    Optional<String> jobId = s.find("report.job-id");
    try (ReportJobStore jobs = JobStores.open(JobStores.jdbc(s))) {
      jobs.migrate();
      int reaped = jobs.reapStuck(s.getDuration("report.processing-timeout", Duration.ofMinutes(30)));
      if (reaped > 0) {
        System.out.println("reaped " + reaped + " job(s) stuck in PROCESSING -> FAILED");
      }
      if (jobId.isPresent()) {
        S3ReportOutput.Settings s3 = ReportOutputs.s3(s);
        Optional<ReportJob> job;
        if (s3 == null) {
          job = jobs.find(jobId.get());
        } else {
          try (S3ReportOutput out = new S3ReportOutput(s3)) {
            job = new ReportLinks(jobs, out, Clock.systemUTC()).current(jobId.get());
          }
        }
        if (job.isEmpty()) {
          System.out.println("no report job '" + jobId.get() + "'");
          return 1;
        }
        printDetail(job.get());
        return 0;
      }
      printProgress(s);
      List<ReportJob> list = jobs.list(s.getInt("status.limit", 20));
      System.out.println();
      System.out.printf("%-28s %-10s %-24s %-24s %s%n", "job_id", "status", "created_at", "finished_at", "url / error");
      for (ReportJob j : list) {
        System.out.printf("%-28s %-10s %-24s %-24s %s%n", j.jobId(), j.status(), j.createdAt(),
            j.finishedAt() == null ? "-" : j.finishedAt(),
            j.errorMessage() != null ? j.errorMessage() : j.s3Url() == null ? "-" : j.s3Url());
      }
      if (list.isEmpty()) {
        System.out.println("(no report jobs yet)");
      }
      return 0;
    }
  }

  private static void printProgress(Settings s) {
    StoreConfig sink = StoreConfig.from(s);
    Function<Pipeline, Optional<AggregationProgress>> progress =
        sink.type().equals("mysql")
            ? p -> MySqlAggregateStore.readProgress(sink.db(), p)
            : new ProgressLog(new Configuration(), sink.warehouseDir())::last;
    System.out.printf("%-16s %-6s %-22s %-26s %10s %6s %6s%n",
        "pipeline", "batch", "finalized_before", "max_event_time", "aggregated", "bad", "late");
    for (Pipeline p : Pipeline.values()) {
      Optional<AggregationProgress> pr = progress.apply(p);
      if (pr.isEmpty()) {
        System.out.printf("%-16s (no batch committed in %s)%n", p.id, sink.describe());
      } else {
        AggregationProgress a = pr.get();
        System.out.printf("%-16s %-6d %-22s %-26s %10d %6d %6d%n", p.id, a.batchId(), a.finalizedBefore(),
            a.maxEventTime(), a.validTotal(), a.badTotal(), a.lateTotal());
      }
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
    if (j.s3Key() != null) {
      System.out.println("key:           " + j.s3Key());
      System.out.println("url:           " + j.s3Url());
    }
    if (j.errorMessage() != null) {
      System.out.println("error_message: " + j.errorMessage());
    }
  }
}
