package io.siloreports.report;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.ingest.CommittedInput;
import io.siloreports.ingest.InputSlice;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.RowsInSheetOrder;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A report's rows, from the aggregates and the hot readings to the writer, in sheet order (each silo's hours in
 * order, silos as requested). Three ways, the cheapest the store allows: a store that streams its finalized hours in
 * sheet order feeds the writer directly (no Spark job over them); otherwise Spark combines both parts and a small
 * report (up to {@value #SMALL_REPORT_ROWS} rows) is sorted on the driver, a large one by Spark.
 */
final class ReportAssembler {
  private static final Logger LOG = LoggerFactory.getLogger(ReportAssembler.class);
  /** Up to this many rows a report is collected and sorted on the driver (about 40 MB), beyond it sorted by Spark. */
  static final int SMALL_REPORT_ROWS = 200_000;
  /** Reads of the aggregates before a report gives up on a snapshot of the batch it read the progress of. */
  private static final int SNAPSHOT_ATTEMPTS = 5;

  private final Supplier<SparkSession> spark;
  private final AggregateStore aggregates;
  private final ProgressStore progress;
  private final HotReadings hot;
  private final int defaultDays;
  private final Clock clock;

  ReportAssembler(Supplier<SparkSession> spark, AggregateStore aggregates, ProgressStore progress, HotReadings hot,
      int defaultDays, Clock clock) {
    if (defaultDays < 1) {
      throw new IllegalArgumentException("default report range must be at least 1 day, got " + defaultDays);
    }
    this.spark = spark;
    this.aggregates = aggregates;
    this.progress = progress;
    this.hot = hot;
    this.defaultDays = defaultDays;
    this.clock = clock;
  }

  /**
   * Writes the report of {@code request} to {@code target} with {@code writer}: the range and cut-off resolved from
   * the request (defaults: the last {@code defaultDays} days to the end of the cut-off's hour), the finalized hours
   * from the aggregates, the later readings raw.
   */
  public WorkbookStats write(String jobId, ReportRequest request, Path target, WorkbookWriter writer)
      throws IOException {
    Instant started = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    ReportRequest.Resolved resolved = request.resolve(started, defaultDays);
    Instant cutoff = resolved.asOf();
    Instant to = resolved.to();
    Instant from = resolved.from();
    // The aggregates and the raw side must be of the same committed batch: a store that streams its hours reads
    // them in a snapshot that names its batch, and a batch committed since the progress was read means reading again.
    Optional<AggregationProgress> committed;
    ReportRange range;
    InputSlice slice;
    CompletableFuture<Optional<List<Row>>> hotWithoutSpark;
    Optional<AggregateStore.HourlyRowsInOrder> streamed;
    for (int attempt = 1; ; attempt++) {
      committed = progress.last(Pipeline.SILO_READINGS);
      Optional<CommittedInput> input = committed.flatMap(hot::committedInput);
      if (committed.isPresent() && input.isEmpty()) {
        LOG.warn("report {}: cannot tell which raw input batch {} committed ({}): splitting on event time at"
            + " finalized_before, exact only once the stream has caught up", jobId, committed.get().batchId(),
            hot.describe());
      }
      range = new ReportRange(from, to, cutoff, committed.map(AggregationProgress::finalizedBefore).orElse(null),
          committed.map(AggregationProgress::maxEventTime).orElse(null), input.isPresent());
      slice = new InputSlice(range.byCommitted() ? input.get() : null, range.uncommittedFrom(), range.split(),
          range.hotEnd());
      // The hot hours read without Spark, if their source allows, on a thread of their own while the store opens
      // its read of the finalized hours (two reads of the same size for a small report; the machine has the cores).
      InputSlice read = slice;
      hotWithoutSpark = !range.hasHotPart()
          ? CompletableFuture.completedFuture(Optional.of(List.of()))
          : CompletableFuture.supplyAsync(() -> hot.partialsWithoutSpark(read, request.silos()));
      streamed = committed.isPresent() && range.hasFinalizedPart()
          ? aggregates.hourlyInSheetOrder(request.silos(), range.from(), range.split())
          : Optional.empty();
      long asOf = committed.map(AggregationProgress::batchId).orElse(-1L);
      if (streamed.isEmpty() || streamed.get().batchId() == asOf || attempt == SNAPSHOT_ATTEMPTS) {
        if (streamed.isPresent() && streamed.get().batchId() != asOf) {
          streamed.get().close();
          throw new IllegalStateException("the stream committed a batch during each of " + SNAPSHOT_ATTEMPTS
              + " reads of the aggregates (" + aggregates.describe() + "): no consistent snapshot; run the report again");
        }
        break;
      }
      LOG.info("report {}: batch {} committed while the aggregates were opened at batch {}; reading again", jobId,
          streamed.get().batchId(), asOf);
      streamed.get().close();
      hotWithoutSpark.cancel(false);
    }
    LOG.info("report {}: hours {} .. {} from the aggregates (batch {}, finalized_before {}); raw: {}; cut-off {}",
        jobId, range.from(), range.split(), committed.map(AggregationProgress::batchId).orElse(-1L),
        range.finalizedBefore(), describe(range, slice), cutoff);

    if (streamed.isPresent()) {
      return writeStreamed(jobId, request, range, slice, cutoff, committed, streamed.get(), hotWithoutSpark, target,
          writer);
    }

    // The hot partials read on the side serve this path too; only a source that needs Spark is read by Spark.
    Optional<List<Row>> hotRead = joined(hotWithoutSpark);
    Dataset<Row> hotPartials = hotRead.isPresent()
        ? spark.get().createDataFrame(hotRead.get(), HourlyAggregates.PARTIAL)
        : ReportRows.hotPartials(hot.readings(slice), range, request.silos());
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
  private WorkbookStats writeStreamed(String jobId, ReportRequest request, ReportRange range, InputSlice slice,
      Instant cutoff,
      Optional<AggregationProgress> committed, AggregateStore.HourlyRowsInOrder finalized,
      CompletableFuture<Optional<List<Row>>> hotWithoutSpark, Path target, WorkbookWriter writer) throws IOException {
    RowsInSheetOrder rows;
    List<Integer> silos;
    try {
      List<Row> hotRows = joined(hotWithoutSpark).orElseGet(() ->
          ReportRows.hotPartials(hot.readings(slice), range, request.silos()).collectAsList());
      if (!request.silos().isEmpty()) {
        silos = request.silos();
      } else {
        TreeSet<Integer> all = new TreeSet<>(finalized.silos());
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

  /** What the raw side reads, for the log line. */
  private static String describe(ReportRange range, InputSlice slice) {
    if (!range.hasHotPart()) {
      return "nothing";
    }
    if (slice.committed() == null) {
      return "readings " + slice.committedFrom() + " .. " + slice.until();
    }
    return "readings " + slice.uncommittedFrom() + " .. " + slice.until() + " not in the "
        + slice.committed().describe() + (slice.readsCommitted()
            ? ", and committed ones " + slice.committedFrom() + " .. " + slice.until() : "");
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
}
