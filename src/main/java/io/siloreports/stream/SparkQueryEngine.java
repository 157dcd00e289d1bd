package io.siloreports.stream;

import io.siloreports.db.OutageBackoff;
import io.siloreports.ingest.RawSource;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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
 *
 * <p>A query that fails because its source is unreachable ({@link RawSource#unreachable}: Kafka brokers down longer
 * than Spark's own retries) is started again from its checkpoint, with backoff ({@link OutageBackoff}), until the
 * source answers or {@code stream.source-outage-tolerance} has passed; the checkpoint replays the unfinished batch and
 * the aggregator's batch-id fence skips one already committed, so every record is counted once. Any other failure
 * stops the stream at once.
 */
public final class SparkQueryEngine implements MicroBatchEngine {
  /** The stream's own lines, under the name they have always had. */
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);
  /** How often {@link #await} looks at the queries. */
  private static final long POLL_MILLIS = 200;
  /** How long a stop lets a micro-batch in progress finish before it interrupts it (replayed at the next start). */
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);

  private final SparkSession spark;
  private final RawSource source;
  private final String checkpointDir;
  private final Duration sourceOutageTolerance;
  /** Every query this engine started, for {@link #stop}. */
  private final List<StreamingQuery> running = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** The query of each pipeline now: replaced when an outage restarts it. */
  private final Map<Pipeline, StreamingQuery> current = new ConcurrentHashMap<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private Map<Pipeline, MicroBatchAggregator> aggregators = Map.of();
  private Duration triggerInterval;

  /**
   * @param sourceOutageTolerance how long a pipeline whose source is unreachable is restarted before the stream stops
   *     (zero: stop at once)
   */
  public SparkQueryEngine(SparkSession spark, RawSource source, String checkpointDir, Duration sourceOutageTolerance) {
    this.spark = Objects.requireNonNull(spark, "spark");
    this.source = Objects.requireNonNull(source, "source");
    this.checkpointDir = Objects.requireNonNull(checkpointDir, "checkpointDir");
    this.sourceOutageTolerance = Objects.requireNonNull(sourceOutageTolerance, "sourceOutageTolerance");
  }

  /**
   * Spark settings for a checkpoint root: on {@code s3a://}, the checkpoint file manager Spark's cloud integration
   * makes for object stores (it writes each checkpoint file in place through an abortable stream, where the default
   * one writes a temporary file and renames it: a copy and a delete on S3, neither fast nor atomic). Not for other
   * roots: that manager refuses a file system without abortable streams, and the setting holds for every checkpoint
   * of the session.
   */
  public static Map<String, String> checkpointConf(String checkpointDir) {
    return checkpointDir.startsWith("s3a://")
        ? Map.of("spark.sql.streaming.checkpointFileManagerClass",
            "org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager")
        : Map.of();
  }

  @Override
  public String input(Pipeline pipeline) {
    return source.describe(pipeline);
  }

  @Override
  public List<StreamingQuery> start(Map<Pipeline, MicroBatchAggregator> aggregators, Duration triggerInterval)
      throws IOException, TimeoutException {
    this.aggregators = new LinkedHashMap<>(aggregators);
    this.triggerInterval = triggerInterval;
    List<StreamingQuery> queries = new ArrayList<>();
    for (Pipeline p : aggregators.keySet()) {
      source.prepare(p);
      queries.add(startQuery(p));
    }
    return List.copyOf(queries);
  }

  private StreamingQuery startQuery(Pipeline p) throws TimeoutException {
    MicroBatchAggregator aggregator = aggregators.get(p);
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
    running.add(q);
    current.put(p, q);
    return q;
  }

  @Override
  public String resumesFrom(Pipeline pipeline, Optional<AggregationProgress> committed) {
    return "checkpoint " + checkpoint(pipeline) + ", last committed batch "
        + committed.map(a -> Long.toString(a.batchId())).orElse("none");
  }

  private String checkpoint(Pipeline p) {
    return checkpointDir + "/" + p.id;
  }

  /**
   * Until every query is done (available-now) or one ends (with an interval: stopped), or the engine is stopped;
   * restarting a query whose source is unreachable, within the tolerance.
   */
  @Override
  public void await() throws StreamingQueryException {
    Map<Pipeline, Outage> outages = new LinkedHashMap<>();
    List<Pipeline> done = new ArrayList<>();
    try {
      while (stopping.getCount() > 0 && done.size() < aggregators.size()) {
        for (Pipeline p : aggregators.keySet()) {
          if (done.contains(p)) {
            continue;
          }
          Outage outage = outages.get(p);
          if (outage != null && outage.restartAt > 0) {
            if (System.nanoTime() >= outage.restartAt && stopping.getCount() > 0) {
              outage.restartAt = 0;
              startQuery(p);
            }
            continue;
          }
          StreamingQuery q = current.get(p);
          if (!q.isActive() || q.exception().isDefined()) {
            if (q.exception().isDefined()) {
              StreamingQueryException failure = q.exception().get();
              if (stopping.getCount() == 0 || !source.unreachable(failure)) {
                stopIfCheckpointDiskFull(failure);
                throw failure;
              }
              outages.put(p, waitOut(p, outage, failure));
              continue;
            }
            if (outage != null) { // an available-now run that finished after the outage
              resumed(p, outages.remove(p));
            }
            if (triggerInterval != null) {
              return; // stopped: the others stop too (finally)
            }
            done.add(p);
          } else if (outage != null && q.lastProgress() != null) {
            resumed(p, outages.remove(p)); // a whole trigger of the new query ran: the source answered
          }
        }
        stopping.await(POLL_MILLIS, TimeUnit.MILLISECONDS);
      }
      for (Map.Entry<Pipeline, StreamingQuery> e : current.entrySet()) {
        // Stopped meanwhile: a query that failed for another reason than its (known) outage still says why.
        if (e.getValue().exception().isDefined() && !outages.containsKey(e.getKey())) {
          stopIfCheckpointDiskFull(e.getValue().exception().get());
          throw e.getValue().exception().get();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the stream ran", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("a query could not be started again: " + e.getMessage(), e);
    } finally {
      stopAll(running);
    }
  }

  /** A pipeline's source outage: since when (the backoff's start), the restarts so far, when the next one is due. */
  private static final class Outage {
    final OutageBackoff backoff;
    int restarts;
    long restartAt;

    Outage(Duration tolerance) {
      this.backoff = new OutageBackoff(tolerance);
    }
  }

  /** Plans the next restart of {@code p} after its query failed unreachable; past the tolerance, stops the stream. */
  private Outage waitOut(Pipeline p, Outage outage, StreamingQueryException failure) {
    Outage o = outage == null ? new Outage(sourceOutageTolerance) : outage;
    long wait = o.backoff.nextPauseMillis();
    String why = MicroBatchAggregator.rootMessage(failure);
    if (wait == 0) {
      throw new IllegalStateException(p.id + ": " + source.describe(p) + " unreachable for "
          + o.backoff.elapsed().toSeconds() + " s after Spark's Kafka source gave up, the longest"
          + " stream.source-outage-tolerance allows (" + asSetting(sourceOutageTolerance) + "), after " + o.restarts
          + " restarts: stopping. Nothing is lost: start the stream again once the source answers; it resumes from "
          + checkpoint(p) + ", every record counted once. Last error: " + why, failure);
    }
    o.restarts++;
    aggregators.get(p).sourceOutageWait();
    o.restartAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
    LOG.warn("{}: {} unreachable ({}); restarting its query from {} in {} s (restart {}, unreachable for {} s of at"
            + " most {}, stream.source-outage-tolerance)", p.id, source.describe(p), why, checkpoint(p),
        Math.max(1, wait / 1000), o.restarts, o.backoff.elapsed().toSeconds(), asSetting(sourceOutageTolerance));
    pause(o.backoff);
    return o;
  }

  /**
   * Moves the backoff to its next, doubled pause without sleeping here: {@link #await} keeps watching the other
   * pipelines and restarts this one when its time comes.
   */
  private static void pause(OutageBackoff backoff) {
    try {
      backoff.pause(0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A duration as the setting is written ({@code 15m}, {@code 90s}), for messages that name the setting. */
  static String asSetting(Duration d) {
    long s = d.toSeconds();
    return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
  }

  private void resumed(Pipeline p, Outage o) {
    LOG.info("{}: {} reachable again after {} s and {} restart(s); the query goes on from {}, every record counted"
        + " once", p.id, source.describe(p), o.backoff.elapsed().toSeconds(), o.restarts, checkpoint(p));
  }

  /**
   * Stops every query, from any thread: a micro-batch in progress may finish first (up to 20 s; one interrupted later
   * is replayed at the next start and counted once), then {@link #await} returns.
   */
  @Override
  public void stop() {
    stopping.countDown();
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    for (StreamingQuery q : running) {
      while (q.isActive() && q.status().isTriggerActive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
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
