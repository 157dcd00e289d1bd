package io.siloreports.stream;

import io.siloreports.cli.StreamConfig;

import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import io.siloreports.db.SchemaCheck;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.store.AggregateStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.util.ShutdownHookManager;
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
 * The streaming application: one query per pipeline (one checkpoint directory each under the checkpoint
 * root), raw lines in, {@link MicroBatchAggregator} in {@code foreachBatch}, aggregates out. With
 * {@code stream.trigger=available-now} it processes what has arrived and stops; with an interval it runs
 * until stopped (SIGTERM stops the queries between batches).
 */
public final class StreamJob {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);
  private static final int SHUTDOWN_PRIORITY = 100;

  private final StreamConfig config;
  private final SparkSession spark;
  private final AggregateStore store;
  private final Clock clock;
  private final RawSource source;

  public StreamJob(StreamConfig config, SparkSession spark, AggregateStore store, Clock clock) {
    this.config = config;
    this.spark = spark;
    this.store = store;
    this.clock = clock;
    this.source = config.source().create();
  }

  public static void main(String[] args) throws Exception {
    run(args);
    System.exit(0); // Spark leaves non-daemon threads behind
  }

  /** The {@code stream} command. */
  public static void run(String[] args) throws Exception {
    StreamConfig config =
        StreamConfig.from(Settings.load(List.of(args), StreamConfig.FLAGS, System.getenv()));
    if (config.sink().type().equals("mysql")) {
      SchemaCheck.requireCurrent(config.sink().db(), config.migrateOnStart());
    }
    SparkSession spark = SparkSessions.create("silo-reports-stream", config.sparkConf());
    new StreamJob(config, spark, config.sink().create(spark), Clock.systemUTC()).runToEnd();
  }

  /** Starts every pipeline's query and waits: until all are done (available-now) or one fails/stops. */
  public void runToEnd() throws StreamingQueryException, IOException, java.util.concurrent.TimeoutException {
    List<StreamingQuery> queries = start();
    // On SIGTERM stop the queries before Spark's own hook (priority 50) stops the SparkContext under them.
    Runnable stopper = () -> stopAll(queries);
    ShutdownHookManager.get().addShutdownHook(stopper, SHUTDOWN_PRIORITY);
    try {
      if (config.availableNow()) {
        for (StreamingQuery q : queries) {
          q.awaitTermination();
        }
      } else {
        spark.streams().awaitAnyTermination();
      }
    } finally {
      stopAll(queries);
      if (!ShutdownHookManager.get().isShutdownInProgress()) {
        ShutdownHookManager.get().removeShutdownHook(stopper);
      }
    }
    for (StreamingQuery q : queries) {
      if (q.exception().isDefined()) {
        throw q.exception().get();
      }
    }
    for (Pipeline p : config.pipelines()) {
      store.progress(p).ifPresentOrElse(
          pr -> LOG.info("{}: committed batch {}, finalized_before {}, {} aggregated, {} bad, {} late in total",
              p.id, pr.batchId(), pr.finalizedBefore(), pr.validTotal(), pr.badTotal(), pr.lateTotal()),
          () -> LOG.info("{}: no batch committed yet (no input from {})", p.id,
              source.describe(p)));
    }
  }

  /** Starts one query per configured pipeline. */
  public List<StreamingQuery> start() throws IOException, java.util.concurrent.TimeoutException {
    List<StreamingQuery> queries = new ArrayList<>();
    for (Pipeline p : config.pipelines()) {
      if (source instanceof RawFileSource files) {
        ensureLocalDir(files.dir(p));
      }
      MicroBatchAggregator aggregator =
          new MicroBatchAggregator(p, store, config.rules(), config.allowedLateness(), clock);
      VoidFunction2<Dataset<Row>, Long> body = (batch, batchId) -> aggregator.process(batch, batchId);
      Trigger trigger =
          config.availableNow()
              ? Trigger.AvailableNow()
              : Trigger.ProcessingTime(config.triggerInterval().toMillis(), TimeUnit.MILLISECONDS);
      String checkpoint = config.checkpointDir() + "/" + p.id;
      StreamingQuery q =
          source.stream(spark, p)
              .writeStream()
              .queryName(p.id)
              .option("checkpointLocation", checkpoint)
              .trigger(trigger)
              .foreachBatch(body)
              .start();
      AggregationProgress committed = store.progress(p).orElse(null);
      LOG.info("{}: started (trigger {}, allowed lateness {}, input {}, aggregates {}, checkpoint {},"
              + " last committed batch {})",
          p.id, config.trigger(), config.allowedLateness(), source.describe(p), config.sink().describe(), checkpoint,
          committed == null ? "none" : committed.batchId());
      queries.add(q);
    }
    return queries;
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

  /** A missing local input directory would fail the file source; create it so the stream can wait for files. */
  private static void ensureLocalDir(String dir) throws IOException {
    if (!dir.contains("://")) {
      Files.createDirectories(Path.of(dir));
    }
  }
}
