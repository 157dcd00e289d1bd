package io.siloreports.store;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where the stream commits its micro-batches, where the report reads the finalized aggregates, and where the
 * backfill replaces final hours. Its {@code aggregation_progress} is read through its {@link ProgressStore}.
 *
 * <p>{@link #commit} applies one micro-batch atomically: the batch's partial aggregates, its quarantine rows and
 * the new progress become visible together or not at all, and a batch id at or below the committed one is never
 * applied twice. That is what makes replays after a crash exactly-once.
 */
public interface AggregateStore {
  /** The {@code batch_id} of the backfill's quarantine rows (the stream's batch ids start at 0). */
  long BACKFILL_BATCH_ID = -1L;

  /**
   * Applies a micro-batch: {@code partials} (the pipeline's partial schema, one row per key, in key order as
   * {@link io.siloreports.aggregate.PartialCombiner} gives them), {@code quarantine}
   * ({@link Quarantine#SCHEMA}) and {@code progress} (whose batchId is this batch's id, and whose
   * {@code closedBefore} is the one the batch's records were classified against).
   *
   * @throws RevisionsClosed when a backfill closed more hours since the batch was classified: nothing was written
   * @throws RowsRejected when the store cannot hold some partial rows: nothing was written
   */
  void commit(Pipeline pipeline, List<Row> partials, Dataset<Row> quarantine, AggregationProgress progress);

  /**
   * The same with the quarantine rows in memory, as the stream's pass brings a micro-batch's few back with its
   * partials: a store that writes them without Spark (MySQL) runs no Spark job for them.
   */
  void commit(Pipeline pipeline, List<Row> partials, List<Row> quarantine, AggregationProgress progress);

  /**
   * A backfill closed hours for revision after the batch was classified against the older {@code closed_before}:
   * the batch must be classified again (its records for the newly closed hours are now too late).
   */
  final class RevisionsClosed extends IllegalStateException {
    public RevisionsClosed(String message) {
      super(message);
    }
  }

  /** Partial rows the store cannot hold, each with the store's reason, found while nothing was committed. */
  final class RowsRejected extends IllegalStateException {
    private final transient List<Rejection> rejections;

    public RowsRejected(List<Rejection> rejections) {
      super(rejections.size() + " aggregate row(s) rejected by the store, the first: " + rejections.get(0).reason());
      this.rejections = List.copyOf(rejections);
    }

    public List<Rejection> rejections() {
      return rejections;
    }
  }

  /** One partial row (the pipeline's partial schema) the store refused, and why. */
  record Rejection(Row partial, String reason) {}

  /**
   * The merged aggregates of a pipeline as of {@code committed}: one row per key in the pipeline's partial
   * schema (sums, not yet rounded). Hours before {@code committed.finalizedBefore()} are final.
   */
  Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed);

  /**
   * The hourly partials of silo readings for hours {@code [from, to)}, streamed in sheet order (the order of
   * {@code silos}, or ascending silo ids when it is empty, then hour) from one consistent read, so a report of any size
   * reaches its workbook without a sort or a copy. Empty when this store has no such read (the caller sorts with
   * Spark).
   */
  default Optional<HourlyRowsInOrder> hourlyInSheetOrder(List<Integer> silos, Instant from, Instant to) {
    return Optional.empty();
  }

  /** Rows of {@link io.siloreports.aggregate.HourlyAggregates#PARTIAL} in sheet order; close it to end the read. */
  interface HourlyRowsInOrder extends java.util.Iterator<Row>, AutoCloseable {
    /** The silos asked for, or, when none were, every silo with rows in the range (ascending). */
    List<Integer> silos();

    /**
     * The stream's committed batch the rows are as of (read in the same snapshot), -1 when it has committed none: the
     * report reads raw only what that batch had not committed, so the two must be of the same batch.
     */
    long batchId();

    @Override
    void close();
  }

  /** Every committed quarantined record of a pipeline ({@link Quarantine#SCHEMA}). */
  Dataset<Row> quarantine(Pipeline pipeline);

  /** Where the aggregates live, for logs. */
  String describe();

  /**
   * One chunk of a backfill: absolute rows for {@code [from, to)} that replace the stored ones.
   *
   * @param validRecords valid records the partials were computed from
   * @param quarantine the chunk's bad records ({@link Quarantine#SCHEMA}, batch id {@link #BACKFILL_BATCH_ID}), or
   *     null when there are none
   * @param allowFewerRecords replace even when the store counts more records for the range than {@code validRecords}
   * @param allowUnfinalized allow a pipeline without a committed finalized_before ({@code --force})
   */
  record Replacement(Pipeline pipeline, Instant from, Instant to, long validRecords, Dataset<Row> partials,
      Dataset<Row> quarantine, Instant now, boolean allowFewerRecords, boolean allowUnfinalized) {}

  /**
   * What a replacement did: {@code rows} written, or {@code skipped} with the record count the store already held
   * for the range ({@code storedRecords}), more than the input had.
   */
  record Replaced(long rows, boolean skipped, long storedRecords) {}

  /**
   * Closes every hour before {@code before} for revision, as a backfill does before it reads raw data: from the
   * stream's next commit on, records for those hours are too late (kept in the quarantine, not merged), so nothing
   * is added to the absolute rows the backfill writes, and the backfill's input holds every record the stream
   * merged into them before. Never reopens hours. Returns the committed progress after the close (empty when the
   * pipeline has none).
   */
  Optional<AggregationProgress> closeForRevision(Pipeline pipeline, Instant before);

  /** Fails with {@link io.siloreports.model.Refused} when this store cannot replace ranges. */
  void requireRangeReplace();

  /**
   * Replaces a range of final hours in one transaction: checks again that {@code to} is not after the committed
   * finalized_before, deletes the range's rows and the backfill's quarantine rows timed in it, inserts the new
   * ones. Nothing is written when it is skipped.
   */
  Replaced replaceRange(Replacement chunk);

  /**
   * Replaces the backfill's quarantine rows without a timestamp that came from {@code sources} with {@code rows}
   * (a rerun over the same files writes the same rows once).
   */
  void replaceUntimedQuarantine(Pipeline pipeline, List<String> sources, Dataset<Row> rows);
}
