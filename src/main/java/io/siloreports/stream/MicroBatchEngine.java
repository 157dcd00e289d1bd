package io.siloreports.stream;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;

/**
 * How a stream job's micro-batches reach its aggregators: Spark Structured Streaming queries over files or Kafka
 * ({@link SparkQueryEngine}), or the MySQL raw table read by position on the driver ({@link TablePollingEngine}).
 * The composition root picks one from the source; {@link StreamJob} builds the aggregators once, logs the start and
 * stops the engine on SIGTERM, whichever it is.
 */
public interface MicroBatchEngine {

  /** Where a pipeline's records come from, for logs. */
  String input(Pipeline pipeline);

  /**
   * Opens each pipeline's input and starts feeding its aggregator: a micro-batch every {@code triggerInterval} until
   * stopped, or (null) what is there, then done. Returns the Spark queries it started; an engine that feeds the
   * aggregators on the caller's thread starts none and does that in {@link #await}.
   */
  List<StreamingQuery> start(Map<Pipeline, MicroBatchAggregator> aggregators, Duration triggerInterval)
      throws IOException, TimeoutException;

  /** Where a started pipeline resumes, for the start log; {@code committed}: its last committed batch. */
  String resumesFrom(Pipeline pipeline, Optional<AggregationProgress> committed);

  /** Until every pipeline is done (available-now), one fails, or the engine is stopped. */
  void await() throws StreamingQueryException;

  /** Stops between micro-batches, from any thread (a shutdown hook, a shell, a test); {@link #await} then returns. */
  void stop();
}
