package io.siloreports.report;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.JobOutcome;
import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import io.siloreports.reportjob.FailureReasons;
import io.siloreports.reportjob.JobNotPendingException;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.store.AggregateStore;
import io.siloreports.spark.SparkNeeded;
import io.siloreports.store.ProgressStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One report request, start to end, in the report's JVM: take the job (PENDING -> PROCESSING, so no two runs process
 * it), have {@link ReportAssembler} write the workbook (or the CSV zip) to a temporary file, store it, and end the job
 * COMPLETED with its URL or FAILED with a readable reason. The transitions are {@link ReportJobLifecycle}'s.
 */
public final class SiloReport {
  private static final Logger LOG = LoggerFactory.getLogger(SiloReport.class);

  private final ReportJobLifecycle jobs;
  private final ReportAssembler assembler;
  private final WorkbookWriter writer;
  private final WorkbookWriter csvWriter;
  private final WorkbookWriter pdfWriter;
  private final ReportOutput output;
  private final Duration processingTimeout;
  private final Duration jobStoreRetry;
  private final Duration jobCheckInterval;

  private SiloReport(Builder b) {
    this.jobs = new ReportJobLifecycle(Objects.requireNonNull(b.jobs, "jobs"));
    this.assembler = new ReportAssembler(Objects.requireNonNull(b.spark, "spark"),
        Objects.requireNonNull(b.aggregates, "aggregates"), Objects.requireNonNull(b.progress, "progress"),
        Objects.requireNonNull(b.hot, "hot"), b.defaultDays, Objects.requireNonNull(b.clock, "clock"));
    this.writer = Objects.requireNonNull(b.writer, "writer");
    this.csvWriter = Objects.requireNonNull(b.csvWriter, "csvWriter");
    this.pdfWriter = b.pdfWriter;
    this.output = Objects.requireNonNull(b.output, "output");
    this.processingTimeout = Objects.requireNonNull(b.processingTimeout, "processingTimeout");
    this.jobStoreRetry = Objects.requireNonNull(b.jobStoreRetry, "jobStoreRetry");
    this.jobCheckInterval = Objects.requireNonNull(b.jobCheckInterval, "jobCheckInterval");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** How a run ended. */
  public record Outcome(String jobId, JobStatus status, String url, String error, WorkbookStats stats)
      implements JobOutcome {
    @Override
    public boolean succeeded() {
      return status == JobStatus.COMPLETED;
    }

    @Override
    public String summary() {
      return "report " + jobId + " " + status + ": " + (succeeded() ? ReportOutput.unsigned(url) : error);
    }
  }

  /**
   * Runs job {@code jobId}. If no such job exists it is created (a run from the command line); flags in
   * {@code override} replace the job's stored params. Never throws for a failure of the report itself: the job ends
   * FAILED and the outcome says why.
   *
   * @throws JobNotPendingException when another run has or had the job
   */
  public Outcome run(String jobId, ReportRequest override) {
    ReportJob job = jobs.take(jobId, override, processingTimeout);
    try (JobWatch watch = new JobWatch(jobs.store(), jobId, jobCheckInterval)) {
      // Parsed once the job is ours: params someone stored wrong end the job FAILED with the reason.
      ReportRequest request = ReportRequest.fromJson(job.params()).overriddenBy(override);
      LOG.info("report {}: PROCESSING ({})", jobId, request.toJson());
      ReportRequest.Format format = request.formatOrDefault();
      String fileName = format.fileName;
      Path tmp = Files.createTempFile("silo-report-" + jobId + "-", fileName.substring(fileName.lastIndexOf('.')));
      try {
        WorkbookWriter chosen = switch (format) {
          case CSV -> csvWriter;
          case PDF -> Objects.requireNonNull(pdfWriter, "this report runner was built without a PDF writer");
          case XLSX -> writer;
        };
        WorkbookStats stats = assembler.write(jobId, request, tmp, watch.watching(chosen));
        ReportOutput.Stored stored = output.store(tmp, "reports/" + jobId + "/" + fileName);
        jobs.complete(jobId, stored, stats.statistics() == null ? null : stats.statistics().toJson());
        LOG.info("report {}: COMPLETED, {} rows on {} sheets, {} bytes at {}",
            jobId, stats.totalRows(), stats.sheets(), stats.bytes(), ReportOutput.unsigned(stored.url()));
        return new Outcome(jobId, JobStatus.COMPLETED, stored.url(), null, stats);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (Throwable e) { // a LinkageError from a cluster's other library versions too: the job must end
      SparkNeeded needed = SparkNeeded.in(e);
      if (needed != null && jobs.handBack(jobId, "handed to spark-submit: " + needed.getMessage())) {
        LOG.info("report {}: {}; its job goes back to SUBMITTED for spark-submit", jobId, needed.getMessage());
        return new Outcome(jobId, JobStatus.SUBMITTED, null, needed.getMessage(), null);
      }
      String reason = FailureReasons.describe(e);
      LOG.error("report {}: FAILED: {}", jobId, reason, e);
      jobs.failRetrying(jobId, reason, jobStoreRetry, processingTimeout);
      return new Outcome(jobId, JobStatus.FAILED, null, reason, null);
    }
  }

  /**
   * Writes the report of {@code request} to {@code target} as a run would, with no job and nothing stored: a warm
   * runner's warm-up, which loads what a report uses (the aggregates' reader, the raw files' parser, the workbook's
   * writer) before its first report rather than during it.
   */
  public WorkbookStats rehearse(ReportRequest request, Path target) throws java.io.IOException {
    return assembler.write("warm-up", request, target, writer);
  }

  /** Every collaborator of a {@link SiloReport}; all are required. */
  public static final class Builder {
    private Supplier<SparkSession> spark;
    private AggregateStore aggregates;
    private ProgressStore progress;
    private HotReadings hot;
    private ReportJobStore jobs;
    private WorkbookWriter writer;
    private WorkbookWriter csvWriter;
    private WorkbookWriter pdfWriter;
    private ReportOutput output;
    private int defaultDays;
    private Duration processingTimeout;
    /** The declared default of {@code report.job-store-retry}, for reports built without a config. */
    private Duration jobStoreRetry = Duration.ofMinutes(5);
    /** The declared default of {@code report.job-check-interval}. */
    private Duration jobCheckInterval = Duration.ofSeconds(30);
    private Clock clock;

    private Builder() {}

    public Builder spark(SparkSession spark) {
      this.spark = () -> spark;
      return this;
    }

    /** A session started only if a part of the report needs Spark. */
    public Builder spark(Supplier<SparkSession> spark) {
      this.spark = spark;
      return this;
    }

    /** The finalized aggregates and the progress that says which hours are final. */
    public Builder aggregates(AggregateStore aggregates, ProgressStore progress) {
      this.aggregates = aggregates;
      this.progress = progress;
      return this;
    }

    public Builder hot(HotReadings hot) {
      this.hot = hot;
      return this;
    }

    public Builder jobs(ReportJobStore jobs) {
      this.jobs = jobs;
      return this;
    }

    /** The Excel writer, and the writer of {@code format=csv} reports. */
    public Builder writers(WorkbookWriter xlsx, WorkbookWriter csv) {
      this.writer = xlsx;
      this.csvWriter = csv;
      return this;
    }

    /** The writer of {@code format=pdf} reports. */
    public Builder pdfWriter(WorkbookWriter pdf) {
      this.pdfWriter = pdf;
      return this;
    }

    public Builder output(ReportOutput output) {
      this.output = output;
      return this;
    }

    /** Range length when a request gives no {@code from}. */
    public Builder defaultDays(int defaultDays) {
      this.defaultDays = defaultDays;
      return this;
    }

    /** A PROCESSING job older than this is reaped to FAILED before a run takes its own job. */
    public Builder processingTimeout(Duration processingTimeout) {
      this.processingTimeout = processingTimeout;
      return this;
    }

    /** How long a failed run retries recording FAILED while the job store is unreachable. */
    public Builder jobStoreRetry(Duration jobStoreRetry) {
      this.jobStoreRetry = jobStoreRetry;
      return this;
    }

    /** How often the run checks that its job is still PROCESSING (one ended elsewhere stops the run). */
    public Builder jobCheckInterval(Duration jobCheckInterval) {
      this.jobCheckInterval = jobCheckInterval;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public SiloReport build() {
      return new SiloReport(this);
    }
  }
}
