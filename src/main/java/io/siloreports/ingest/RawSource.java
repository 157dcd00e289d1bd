package io.siloreports.ingest;

import io.siloreports.model.Pipeline;
import java.time.Instant;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where raw records arrive: a directory of JSON-lines files or a Kafka topic per pipeline. Both give the
 * columns {@code line} (the raw text) and {@code source} (file, or topic-partition@offset) that
 * {@link ParsedRecords#parse} takes, so every source is validated by the same code.
 */
public interface RawSource {

  /** The unbounded stream of a pipeline's records. */
  Dataset<Row> stream(SparkSession spark, Pipeline pipeline);

  /**
   * Every record that may have an event time in {@code [eventFrom, cutoff)} and had arrived by
   * {@code cutoff} (more is fine: callers filter by event time), or an empty Dataset when there is none.
   */
  Dataset<Row> batch(SparkSession spark, Pipeline pipeline, Instant eventFrom, Instant cutoff);

  /**
   * The records the stream had committed ({@code committed} true) or had not committed yet (false) by the batch of
   * {@code slice.committed()}, that may have an event time in the slice's window for them (more is fine: callers
   * filter by event time); with {@code slice.committed()} null every record counts as committed and the uncommitted
   * side is empty. What a source cannot split this way it refuses.
   */
  default Dataset<Row> batch(SparkSession spark, Pipeline pipeline, InputSlice slice, boolean committed) {
    if (slice.committed() == null) {
      return committed ? batch(spark, pipeline, slice.committedFrom(), slice.until()) : null;
    }
    throw new UnsupportedOperationException(describe(pipeline) + " cannot tell committed records from the others");
  }

  /** Called before a pipeline's stream starts (a file source creates a missing local directory, so it can wait). */
  default void prepare(Pipeline pipeline) throws java.io.IOException {}

  /** Where a pipeline's records come from, for logs. */
  String describe(Pipeline pipeline);

  /**
   * Whether a failed read is this source being unreachable (an outage to wait out and resume from the checkpoint) as
   * opposed to a defect (a bad option, a missing topic, lost offsets) that must stop the stream at once. No source
   * but Kafka tells them apart.
   */
  default boolean unreachable(Throwable failure) {
    return false;
  }
}
