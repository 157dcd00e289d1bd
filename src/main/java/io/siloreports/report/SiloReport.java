package io.siloreports.report;

import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.output.ReportOutput;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.model.Times;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.model.Pipeline;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import io.siloreports.store.AggregateStore;
import io.siloreports.model.AggregationProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One report request, start to end: take the job (PENDING -> PROCESSING, so no two runs process it), read
 * the finalized hours from the aggregates and the later readings raw, aggregate and union them, write the
 * workbook, store it, and end the job COMPLETED with its URL or FAILED with a readable reason.
 */
public final class SiloReport {
  private static final Logger LOG = LoggerFactory.getLogger(SiloReport.class);
  public static final String REPORT_TYPE = "silo_hourly";
  public static final String FILE_NAME = "silo_data_report.xlsx";
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final SparkSession spark;
  private final AggregateStore aggregates;
  private final HotReadings hot;
  private final ReportJobStore jobs;
  private final WorkbookWriter writer;
  private final ReportOutput output;
  private final int defaultDays;
  private final Duration processingTimeout;
  private final Clock clock;

  public SiloReport(
      SparkSession spark,
      AggregateStore aggregates,
      HotReadings hot,
      ReportJobStore jobs,
      WorkbookWriter writer,
      ReportOutput output,
      int defaultDays,
      Duration processingTimeout,
      Clock clock) {
    this.spark = spark;
    this.aggregates = aggregates;
    this.hot = hot;
    this.jobs = jobs;
    this.writer = writer;
    this.output = output;
    this.defaultDays = defaultDays;
    this.processingTimeout = processingTimeout;
    this.clock = clock;
  }

  /** The job exists but is not PENDING: another run has it or had it. */
  public static final class JobNotPendingException extends IllegalStateException {
    JobNotPendingException(String message) {
      super(message);
    }
  }

  /** How a run ended. */
  public record Outcome(String jobId, JobStatus status, String url, String error, WorkbookStats stats) {}

  /**
   * Runs job {@code jobId}. If no such job exists it is created (a run from the command line); flags in
   * {@code override} replace the job's stored params. Never throws for a failure of the report itself:
   * the job ends FAILED and the outcome says why.
   */
  public Outcome run(String jobId, ReportRequest override) {
    if (!JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("job id must be 1-128 of [A-Za-z0-9._-] and start with a letter or"
          + " digit, got '" + jobId + "'");
    }
    int reaped = jobs.reapStuck(processingTimeout);
    if (reaped > 0) {
      LOG.warn("reaped {} report job(s) stuck in PROCESSING for more than {}", reaped, processingTimeout);
    }
    ReportJob job = jobs.find(jobId).orElseGet(() -> jobs.create(jobId, REPORT_TYPE, override.toJson()));
    ReportRequest request = merge(ReportRequest.fromJson(job.params()), override);
    if (!jobs.markProcessing(jobId)) {
      String status = jobs.find(jobId).map(j -> j.status().name()).orElse("missing");
      throw new JobNotPendingException("report job " + jobId + " is " + status
          + ", not PENDING: a job runs once (submit a new job id to run the report again)");
    }
    LOG.info("report {}: PROCESSING ({})", jobId, request.toJson());
    try {
      Path tmp = Files.createTempFile("silo-report-" + jobId + "-", ".xlsx");
      try {
        WorkbookStats stats = build(jobId, request, tmp);
        ReportOutput.Stored stored = output.store(tmp, "reports/" + jobId + "/" + FILE_NAME);
        if (!jobs.markCompleted(jobId, stored.key(), stored.url())) {
          throw new IllegalStateException("job " + jobId + " left PROCESSING while it ran (reaped as stuck?)");
        }
        LOG.info("report {}: COMPLETED, {} rows on {} sheets, {} bytes at {}",
            jobId, stats.totalRows(), stats.sheets(), stats.bytes(), stored.url());
        return new Outcome(jobId, JobStatus.COMPLETED, stored.url(), null, stats);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (Exception | OutOfMemoryError e) {
      String reason = describe(e);
      LOG.error("report {}: FAILED: {}", jobId, reason, e);
      jobs.markFailed(jobId, reason);
      return new Outcome(jobId, JobStatus.FAILED, null, reason, null);
    }
  }

  private WorkbookStats build(String jobId, ReportRequest request, Path target) throws IOException {
    Instant started = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant cutoff = request.asOf() != null ? request.asOf() : started;
    Instant to = request.to() != null ? request.to() : Times.hourCeil(cutoff);
    Instant from = request.from() != null ? request.from() : to.minus(Duration.ofDays(defaultDays));
    Optional<AggregationProgress> progress = aggregates.progress(Pipeline.SILO_READINGS);
    ReportRange range =
        new ReportRange(from, to, cutoff, progress.map(AggregationProgress::finalizedBefore).orElse(null));
    LOG.info("report {}: {} from the aggregates (finalized_before {}); {} raw; cut-off {}",
        jobId,
        range.hasFinalizedPart() ? "hours " + range.from() + " .. " + range.split() : "no hours",
        range.finalizedBefore(),
        range.hasHotPart() ? "readings " + range.split() + " .. " + range.hotEnd() + " from " + hot.describe()
            : "no readings",
        cutoff);

    Dataset<Row> finalized =
        progress.isPresent() && range.hasFinalizedPart()
            ? aggregates.aggregates(Pipeline.SILO_READINGS, progress.get())
            : spark.createDataFrame(List.of(), HourlyAggregates.PARTIAL);
    Dataset<Row> hotReadings =
        range.hasHotPart()
            ? hot.readings(range.split(), range.hotEnd())
            : spark.createDataFrame(List.of(), ParsedRecords.READINGS).select("silo_id", "ts", "value");

    Dataset<Row> rows =
        ReportRows.combine(finalized, hotReadings, range, request.silos()).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Integer> silos = new ArrayList<>(request.silos());
      if (silos.isEmpty()) {
        rows.select("silo_id").distinct().orderBy("silo_id").collectAsList().forEach(r -> silos.add(r.getInt(0)));
      }
      ReportHeader header =
          new ReportHeader(jobId, List.copyOf(silos), range.from(), range.to(), cutoff,
              range.finalizedBefore(), clock.instant());
      return writer.write(header, rows, silos, target);
    } finally {
      rows.unpersist();
    }
  }

  private static ReportRequest merge(ReportRequest stored, ReportRequest override) {
    return new ReportRequest(
        override.from() != null ? override.from() : stored.from(),
        override.to() != null ? override.to() : stored.to(),
        !override.silos().isEmpty() ? override.silos() : stored.silos(),
        override.asOf() != null ? override.asOf() : stored.asOf());
  }

  /** A reason a person can act on: the exception and its root cause, without Spark's plan dumps. */
  public static String describe(Throwable e) {
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
