package io.siloreports.stream;

import io.siloreports.ingest.RawSource;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark Structured Streaming: one query per pipeline over a source Spark can stream (files, Kafka), with its own
 * checkpoint directory under the checkpoint root and the pipeline's {@link MicroBatchAggregator} in
 * {@code foreachBatch}. Spark numbers the batches and replays the last one after a crash.
 */
public final class SparkQueryEngine implements MicroBatchEngine {
  /** The stream's own lines, under the name they have always had. */
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);

  private final SparkSession spark;
  private final RawSource source;
  private final String checkpointDir;
  /** Every query this engine started, for {@link #stop}. */
  private final List<StreamingQuery> running = new CopyOnWriteArrayList<>();
  /** The queries of the last {@link #start}, which {@link #await} waits for. */
  private List<StreamingQuery> started = List.of();
  private Duration triggerInterval;

  public SparkQueryEngine(SparkSession spark, RawSource source, String checkpointDir) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.source = Objects.requireNonNull(source, "source");
    this.checkpointDir = Objects.requireNonNull(checkpointDir, "checkpointDir");
  }

  @Override
  public String input(Pipeline pipeline) {
    return source.describe(pipeline);
  }

  @Override
  public List<StreamingQuery> start(Map<Pipeline, MicroBatchAggregator> aggregators, Duration triggerInterval)
      throws IOException, TimeoutException {
    this.triggerInterval = triggerInterval;
    List<StreamingQuery> queries = new ArrayList<>();
    for (Map.Entry<Pipeline, MicroBatchAggregator> e : aggregators.entrySet()) {
      Pipeline p = e.getKey();
      source.prepare(p);
      MicroBatchAggregator aggregator = e.getValue();
      VoidFunction2<Dataset<Row>, Long> body = (batch, batchId) -> aggregator.process(batch, batchId);
      Trigger trigger = triggerInterval == null
          ? Trigger.AvailableNow()
          : Trigger.ProcessingTime(triggerInterval.toMillis(), TimeUnit.MILLISECONDS);
      StreamingQuery q =
          source.stream(spark, p)
              .writeStream()
              .queryName(p.id)
              .option("checkpointLocation", checkpoint(p))
              .trigger(trigger)
              .foreachBatch(body)
              .start();
      queries.add(q);
      running.add(q);
    }
    started = List.copyOf(queries);
    return started;
  }

  @Override
  public String resumesFrom(Pipeline pipeline, Optional<AggregationProgress> committed) {
    return "checkpoint " + checkpoint(pipeline) + ", last committed batch "
        + committed.map(a -> Long.toString(a.batchId())).orElse("none");
  }

  private String checkpoint(Pipeline p) {
    return checkpointDir + "/" + p.id;
  }

  @Override
  public void await() throws StreamingQueryException {
    List<StreamingQuery> queries = started;
    try {
      if (triggerInterval == null) {
        for (StreamingQuery q : queries) {
          q.awaitTermination();
        }
      } else {
        awaitAnyOf(queries);
      }
    } catch (StreamingQueryException e) {
      stopIfCheckpointDiskFull(e);
      throw e;
    } finally {
      stopAll(queries);
    }
    for (StreamingQuery q : queries) {
      if (q.exception().isDefined()) {
        stopIfCheckpointDiskFull(q.exception().get());
        throw q.exception().get();
      }
    }
  }

  @Override
  public void stop() {
    stopAll(running);
  }

  /**
   * A query failed because the disk is full outside the batch's own writes (those wait, then say so themselves):
   * Spark's checkpoint or its temporary files. Throws with that reason spelled out; any other failure is left as is.
   */
  private void stopIfCheckpointDiskFull(StreamingQueryException e) {
    if (!MicroBatchAggregator.isDiskFull(e) || String.valueOf(e.getMessage()).contains("store-outage-tolerance")) {
      return;
    }
    String why = "the stream stopped: no space left on device while Spark wrote its checkpoint under " + checkpointDir
        + " (or its temporary files, spark.local.dir). Free space there and start the stream again: it resumes from"
        + " its last committed batch, each record counted once.";
    LOG.error(why);
    throw new IllegalStateException(why, e);
  }

  /**
   * Until one of these queries ends. Not {@code spark.streams().awaitAnyTermination()}: in a shared session (a
   * shell, a test) it returns at once when any earlier query of the session has ended.
   */
  private static void awaitAnyOf(List<StreamingQuery> queries) throws StreamingQueryException {
    while (true) {
      for (StreamingQuery q : queries) {
        if (q.awaitTermination(200)) {
          return;
        }
      }
    }
  }

  private static void stopAll(List<StreamingQuery> queries) {
    for (StreamingQuery q : queries) {
      try {
        if (q.isActive()) {
          LOG.info("{}: stopping", q.name());
          q.stop();
        }
      } catch (Exception e) {
        LOG.warn("{}: stop failed: {}", q.name(), e.toString());
      }
    }
  }
}
