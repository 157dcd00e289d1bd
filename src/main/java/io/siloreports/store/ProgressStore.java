package io.siloreports.store;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.util.Optional;

/**
 * The single reader and writer of {@code aggregation_progress}, for MySQL ({@link MySqlProgressStore}) and for the
 * Parquet layout ({@link ParquetProgressStore}). Spark-free, so {@code status}, the report's split and the
 * backfill's plan read it without a SparkSession. It is written only by its aggregate store, inside the commit of
 * a micro-batch (the fence and the merges commit together).
 */
public interface ProgressStore {

  /** The last committed progress of a pipeline, empty before its first batch. */
  Optional<AggregationProgress> last(Pipeline pipeline);

  /** Where the progress lives, for logs. */
  String describe();
}
