package io.siloreports.store;

import io.siloreports.model.AggregationProgress;

import io.siloreports.model.Pipeline;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where the stream commits its micro-batches and where the report reads the finalized aggregates.
 *
 * <p>{@link #commit} applies one micro-batch atomically: the batch's partial aggregates, its quarantine
 * rows and the new progress become visible together or not at all, and a batch id at or below the
 * committed one is never applied twice. That is what makes replays after a crash exactly-once.
 */
public interface AggregateStore {

  /** The last committed progress of a pipeline, empty before its first batch. */
  Optional<AggregationProgress> progress(Pipeline pipeline);

  /**
   * Applies a micro-batch: {@code partials} (the pipeline's partial schema), {@code quarantine}
   * ({@link Quarantine#SCHEMA}) and {@code progress} (whose batchId is this batch's id).
   */
  void commit(Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress progress);

  /**
   * The merged aggregates of a pipeline as of {@code committed}: one row per key in the pipeline's partial
   * schema (sums, not yet rounded). Hours before {@code committed.finalizedBefore()} are final.
   */
  Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed);

  /** Every quarantined record of a pipeline ({@link Quarantine#SCHEMA}). */
  Dataset<Row> quarantine(Pipeline pipeline);
}
