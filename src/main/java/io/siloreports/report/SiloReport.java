package io.siloreports.report;


import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.db.Jdbc;
import io.siloreports.db.OutageBackoff;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Times;
import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.output.ReportOutput;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.RowsInSheetOrder;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
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
  /** Up to this many rows a report is collected and sorted on the driver (about 40 MB), beyond it sorted by Spark. */
  static final int SMALL_REPORT_ROWS = 200_000;
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Supplier<SparkSession> spark;
  private final AggregateStore aggregates;
  private final ProgressStore progress;
  private final HotReadings hot;
  private final ReportJobStore jobs;
  private final WorkbookWriter writer;
  private final WorkbookWriter csvWriter;
  private final ReportOutput output;
  private final int defaultDays;
  private final Duration processingTimeout;
  private final Duration jobStoreRetry;
  private final Clock clock;

  private SiloReport(Builder b) {
    this.spark = Objects.requireNonNull(b.spark, "spark");
    this.aggregates = Objects.requireNonNull(b.aggregates, "aggregates");
    this.progress = Objects.requireNonNull(b.progress, "progress");
    this.hot = Objects.requireNonNull(b.hot, "hot");
    this.jobs = Objects.requireNonNull(b.jobs, "jobs");
    this.writer = Objects.requireNonNull(b.writer, "writer");
    this.csvWriter = Objects.requireNonNull(b.csvWriter, "csvWriter");
    this.output = Objects.requireNonNull(b.output, "output");
    this.defaultDays = b.defaultDays;
    this.processingTimeout = Objects.requireNonNull(b.processingTimeout, "processingTimeout");
    this.jobStoreRetry = Objects.requireNonNull(b.jobStoreRetry, "jobStoreRetry");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    if (defaultDays < 1) {
      throw new IllegalArgumentException("default report range must be at least 1 day, got " + defaultDays);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fails with the rule when {@code jobId} cannot name a job (it becomes part of an object key). */
  public static void requireValidJobId(String jobId) {
    if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("job id must be 1-128 of [A-Za-z0-9._-] and start with a letter or"
          + " digit, got '" + jobId + "'");
    }
  }

  /** The job exists but is not PENDING: another run has it or had it. */
  public static final class JobNotPendingException extends IllegalStateException {
    JobNotPendingException(String message) {
      super(message);
    }
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
   * {@code override} replace the job's stored params. Never throws for a failure of the report itself:
   * the job ends FAILED and the outcome says why.
   */
  public Outcome run(String jobId, ReportRequest override) {
    requireValidJobId(jobId);
    int reaped = jobs.reapStuck(processingTimeout);
    if (reaped > 0) {
      LOG.warn("reaped {} report job(s) stuck in PROCESSING for more than {}", reaped, processingTimeout);
    }
    ReportJob job = jobs.find(jobId).orElseGet(() -> jobs.create(jobId, REPORT_TYPE, override.toJson()));
    if (!jobs.markProcessing(jobId)) {
      String status = jobs.find(jobId).map(j -> j.status().name()).orElse("missing");
      throw new JobNotPendingException("report job " + jobId + " is " + status
          + ", not PENDING: a job runs once (submit a new job id to run the report again)");
    }
    try {
      // Parsed once the job is ours: params someone stored wrong end the job FAILED with the reason.
      ReportRequest request = merge(ReportRequest.fromJson(job.params()), override);
      LOG.info("report {}: PROCESSING ({})", jobId, request.toJson());
      ReportRequest.Format format = request.formatOrDefault();
      String fileName = format.fileName;
      Path tmp = Files.createTempFile("silo-report-" + jobId + "-", fileName.substring(fileName.lastIndexOf('.')));
      try {
        WorkbookStats stats = build(jobId, request, tmp, format == ReportRequest.Format.CSV ? csvWriter : writer);
        ReportOutput.Stored stored = output.store(tmp, "reports/" + jobId + "/" + fileName);
        String summary = stats.statistics() == null ? null : stats.statistics().toJson();
        if (!jobs.markCompleted(jobId, stored.key(), stored.url(), summary)) {
          throw new IllegalStateException("job " + jobId + " left PROCESSING while it ran (reaped as stuck?)");
        }
        LOG.info("report {}: COMPLETED, {} rows on {} sheets, {} bytes at {}",
            jobId, stats.totalRows(), stats.sheets(), stats.bytes(), ReportOutput.unsigned(stored.url()));
        return new Outcome(jobId, JobStatus.COMPLETED, stored.url(), null, stats);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (Throwable e) { // a LinkageError from a cluster's other library versions too: the job must end
      String reason = describe(e);
      LOG.error("report {}: FAILED: {}", jobId, reason, e);
      recordFailed(jobId, reason);
      return new Outcome(jobId, JobStatus.FAILED, null, reason, null);
    }
  }

  /**
   * Marks the job FAILED with its reason. The job store is often the MySQL whose outage failed the report, so while it
   * is unreachable the mark is retried with backoff (1, 2, 4, 8, 10 s ...) for up to {@code jobStoreRetry}: the job
   * then ends with the reason that names the database, not later with the reaper's "timed out". Past that the run
   * gives up, says so, and leaves the job to the reaper ({@code report.processing-timeout}); it never hangs.
   */
  private void recordFailed(String jobId, String reason) {
    OutageBackoff backoff = new OutageBackoff(jobStoreRetry);
    for (int attempt = 1; ; attempt++) {
      try {
        jobs.markFailed(jobId, reason);
        if (attempt > 1) {
          LOG.info("report {}: FAILED recorded in the job store at attempt {}", jobId, attempt);
        }
        return;
      } catch (RuntimeException e) {
        if (!Jdbc.isUnreachable(e)) {
          throw e;
        }
        long sleep = backoff.nextPauseMillis();
        if (sleep == 0) {
          LOG.error("report {}: the job store stayed unreachable for {} (report.job-store-retry), so the job stays"
              + " PROCESSING until a later run or the worker reaps it (report.processing-timeout {}); it FAILED"
              + " because: {}; the job store's last error: {}", jobId, jobStoreRetry, processingTimeout, reason,
              e.getMessage());
          return;
        }
        LOG.warn("report {}: cannot record FAILED in the job store ({}); attempt {}, next in {} ms, for up to {} ms"
            + " more (report.job-store-retry)", jobId, e.getMessage(), attempt, sleep,
            jobStoreRetry.minus(backoff.elapsed()).toMillis());
        try {
          backoff.pause(sleep);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          LOG.error("report {}: interrupted while recording FAILED ({}); the reaper will end the job", jobId, reason);
          return;
        }
      }
    }
  }

  private WorkbookStats build(String jobId, ReportRequest request, Path target, WorkbookWriter writer)
      throws IOException {
    Instant started = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Instant cutoff = request.asOf() != null ? request.asOf() : started;
    Instant to = request.to() != null ? request.to() : Times.hourCeil(cutoff);
    Instant from = request.from() != null ? request.from() : to.minus(Duration.ofDays(defaultDays));
    Optional<AggregationProgress> committed = progress.last(Pipeline.SILO_READINGS);
    ReportRange range =
        new ReportRange(from, to, cutoff, committed.map(AggregationProgress::finalizedBefore).orElse(null));
    LOG.info("report {}: {} from the aggregates (finalized_before {}); {} raw; cut-off {}",
        jobId,
        range.hasFinalizedPart() ? "hours " + range.from() + " .. " + range.split() : "no hours",
        range.finalizedBefore(),
        range.hasHotPart() ? "readings " + range.split() + " .. " + range.hotEnd() + " from " + hot.describe()
            : "no readings",
        cutoff);

    // The hot hours read without Spark, if their source allows, on a thread of their own while the store opens its
    // read of the finalized hours (two reads of the same size for a small report; the machine has the cores).
    CompletableFuture<Optional<List<Row>>> hotWithoutSpark = !range.hasHotPart()
        ? CompletableFuture.completedFuture(Optional.of(List.of()))
        : CompletableFuture.supplyAsync(() -> hot.partialsWithoutSpark(range.split(), range.hotEnd(), request.silos()));
    Optional<AggregateStore.HourlyRowsInOrder> streamed =
        committed.isPresent() && range.hasFinalizedPart()
            ? aggregates.hourlyInSheetOrder(request.silos(), range.from(), range.split())
            : Optional.empty();
    if (streamed.isPresent()) {
      return writeStreamed(jobId, request, range, cutoff, committed, streamed.get(), hotWithoutSpark, target, writer);
    }

    // The hot partials read on the side serve this path too; only a source that needs Spark is read by Spark.
    Optional<List<Row>> hotRead = joined(hotWithoutSpark);
    Dataset<Row> hotPartials = hotRead.isPresent()
        ? spark.get().createDataFrame(hotRead.get(), HourlyAggregates.PARTIAL)
        : ReportRows.hotPartials(hot.readings(range.split(), range.hotEnd()), range, request.silos());
    Dataset<Row> finalized =
        committed.isPresent() && range.hasFinalizedPart()
            ? aggregates.aggregates(Pipeline.SILO_READINGS, committed.get())
            : spark.get().createDataFrame(List.of(), HourlyAggregates.PARTIAL);
    Dataset<Row> combined = ReportRows.combinePartials(finalized, hotPartials, range, request.silos());
    // Most reports from such a store are small (a laptop's data): one Spark job brings them all, the driver sorts.
    List<Row> few = combined.select(FinalHourlyRow.columns(combined)).limit(SMALL_REPORT_ROWS + 1).collectAsList();
    if (few.size() <= SMALL_REPORT_ROWS) {
      List<FinalHourlyRow> sorted = new ArrayList<>(few.size());
      few.forEach(r -> sorted.add(FinalHourlyRow.from(r)));
      List<Integer> silos = !request.silos().isEmpty() ? request.silos()
          : sorted.stream().map(FinalHourlyRow::siloId).distinct().sorted().toList();
      Map<Integer, Integer> position = new HashMap<>();
      silos.forEach(id -> position.putIfAbsent(id, position.size()));
      sorted.sort(Comparator.<FinalHourlyRow>comparingInt(r -> position.get(r.siloId()))
          .thenComparing(FinalHourlyRow::hourStart));
      return writer.write(header(jobId, silos, range, cutoff, committed), sorted.iterator(), silos, target);
    }
    Dataset<Row> rows = combined.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Integer> silos = new ArrayList<>(request.silos());
      if (silos.isEmpty()) {
        rows.select("silo_id").distinct().orderBy("silo_id").collectAsList().forEach(r -> silos.add(r.getInt(0)));
      }
      return writer.write(header(jobId, silos, range, cutoff, committed), rows, silos, target);
    } finally {
      rows.unpersist();
    }
  }

  /**
   * A store that streams its finalized hours in sheet order: they go from the store to the workbook as they come,
   * with the hot hours (few: read directly when the source allows, else aggregated by Spark) after each silo's; no
   * Spark job over the finalized rows, no sort, no cached copy, so time and memory do not grow with the report beyond
   * the writer's own, and a report whose hot hours need no Spark starts no SparkSession at all.
   */
  private WorkbookStats writeStreamed(String jobId, ReportRequest request, ReportRange range, Instant cutoff,
      Optional<AggregationProgress> committed, AggregateStore.HourlyRowsInOrder finalized,
      CompletableFuture<Optional<List<Row>>> hotWithoutSpark, Path target, WorkbookWriter writer) throws IOException {
    RowsInSheetOrder rows;
    List<Integer> silos;
    try {
      List<Row> hotRows = joined(hotWithoutSpark).orElseGet(() ->
          ReportRows.hotPartials(hot.readings(range.split(), range.hotEnd()), range, request.silos()).collectAsList());
      if (!request.silos().isEmpty()) {
        silos = request.silos();
      } else {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>(finalized.silos());
        hotRows.forEach(r -> all.add(r.getInt(0)));
        silos = List.copyOf(all);
      }
      LOG.info("report {}: finalized hours of {} silo(s) streamed from {} in sheet order, {} hot hour row(s)", jobId,
          silos.size(), aggregates.describe(), hotRows.size());
      rows = RowsInSheetOrder.prefetch(ReportRows.inSheetOrder(finalized, hotRows, silos), finalized);
    } catch (RuntimeException e) {
      finalized.close();
      throw e;
    }
    try (rows) {
      return writer.write(header(jobId, silos, range, cutoff, committed), rows, silos, target);
    }
  }

  /** The hot hours read on the side, their failure thrown as it was. */
  private static Optional<List<Row>> joined(CompletableFuture<Optional<List<Row>>> hotWithoutSpark) {
    try {
      return hotWithoutSpark.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  private ReportHeader header(String jobId, List<Integer> silos, ReportRange range, Instant cutoff,
      Optional<AggregationProgress> committed) {
    return new ReportHeader(jobId, List.copyOf(silos), range.from(), range.to(), cutoff, range.finalizedBefore(),
        clock.instant(), committed.map(AggregationProgress::tooLateTotal).orElse(null));
  }

  private static ReportRequest merge(ReportRequest stored, ReportRequest override) {
    return new ReportRequest(
        override.from() != null ? override.from() : stored.from(),
        override.to() != null ? override.to() : stored.to(),
        !override.silos().isEmpty() ? override.silos() : stored.silos(),
        override.asOf() != null ? override.asOf() : stored.asOf(),
        override.format() != null ? override.format() : stored.format(),
        !override.notifyTargets().isEmpty() ? override.notifyTargets() : stored.notifyTargets());
  }

  /** A reason a person can act on: the exception and its root cause, without Spark's plan dumps. */
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

  /** Every collaborator of a {@link SiloReport}; all are required. */
  public static final class Builder {
    private Supplier<SparkSession> spark;
    private AggregateStore aggregates;
    private ProgressStore progress;
    private HotReadings hot;
    private ReportJobStore jobs;
    private WorkbookWriter writer;
    private WorkbookWriter csvWriter;
    private ReportOutput output;
    private int defaultDays;
    private Duration processingTimeout;
    /** The declared default of {@code report.job-store-retry}, for reports built without a config. */
    private Duration jobStoreRetry = Duration.ofMinutes(5);
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

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public SiloReport build() {
      return new SiloReport(this);
    }
  }
}
