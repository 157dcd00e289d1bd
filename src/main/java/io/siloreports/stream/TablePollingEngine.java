package io.siloreports.stream;

import io.siloreports.ingest.MySqlTableSource;
import io.siloreports.ingest.TablePosition;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.ProgressStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL raw table, read by position instead of a Spark query: each micro-batch reads the ids after the committed
 * position and commits the new position with its aggregates (batch ids follow the committed one). Available-now
 * stops when nothing new is left; with an interval it polls until stopped.
 */
public final class TablePollingEngine implements MicroBatchEngine {
  /** The stream's own lines, under the name they have always had. */
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);

  private final SparkSession spark;
  private final MySqlTableSource table;
  private final ProgressStore progress;
  private final Clock clock;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Map<Pipeline, MicroBatchAggregator> aggregators = Map.of();
  private Duration triggerInterval;

  public TablePollingEngine(SparkSession spark, MySqlTableSource table, ProgressStore progress, Clock clock) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.table = Objects.requireNonNull(table, "table");
    this.progress = Objects.requireNonNull(progress, "progress");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String input(Pipeline pipeline) {
    return table.describe(pipeline);
  }

  /** Refuses a pipeline the table does not hold; the polling itself is {@link #await}'s, on the caller's thread. */
  @Override
  public List<StreamingQuery> start(Map<Pipeline, MicroBatchAggregator> aggregators, Duration triggerInterval) {
    aggregators.keySet().forEach(table::requireServes);
    this.aggregators = new LinkedHashMap<>(aggregators); // in the pipelines' order, as configured
    this.triggerInterval = triggerInterval;
    return List.of();
  }

  @Override
  public String resumesFrom(Pipeline pipeline, Optional<AggregationProgress> committed) {
    return "position " + committed.map(AggregationProgress::sourcePosition).orElse("the start");
  }

  @Override
  public void await() {
    while (!stopping.get()) {
      boolean read = false;
      for (Map.Entry<Pipeline, MicroBatchAggregator> e : aggregators.entrySet()) {
        read |= pollOnce(e.getKey(), e.getValue());
      }
      if (!read) {
        if (triggerInterval == null) {
          return;
        }
        sleep(triggerInterval);
      }
    }
    LOG.info("stopping between micro-batches (SIGTERM, or stop() was called)");
  }

  /** One micro-batch of {@code p}, if the table has anything new for it; whether it had. */
  private boolean pollOnce(Pipeline p, MicroBatchAggregator aggregator) {
    Optional<AggregationProgress> committed = progress.last(p);
    TablePosition position = TablePosition.parse(committed.map(AggregationProgress::sourcePosition).orElse(null));
    MySqlTableSource.Batch batch = table.next(spark, p, position, clock.instant());
    if (batch == null) {
      return false;
    }
    for (TablePosition.Gap g : batch.abandoned()) {
      LOG.warn("{}: ids {}..{} of the raw table never appeared within the gap timeout (missing since {}):"
          + " taken as rolled back, not read again", p.id, g.from(), g.to(), g.since());
    }
    aggregator.process(batch.lines(), committed.map(a -> a.batchId() + 1).orElse(0L), batch.position().format());
    return true;
  }

  @Override
  public void stop() {
    stopping.set(true);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the next micro-batch", e);
    }
  }
}
