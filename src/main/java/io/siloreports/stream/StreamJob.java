package io.siloreports.stream;

import io.siloreports.ingest.MySqlTableSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.ingest.TablePosition;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * The streaming application: one query per pipeline (one checkpoint directory each under the checkpoint root),
 * raw lines in, {@link MicroBatchAggregator} in {@code foreachBatch}, aggregates out. Available-now runs process
 * what has arrived and stop; with an interval it runs until stopped (SIGTERM stops the queries between batches).
 * Built by {@link #builder()} with every collaborator given.
 */
public final class StreamJob {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);
  private static final int SHUTDOWN_PRIORITY = 100;

  private final SparkSession spark;
  private final RawSource source;
  private final AggregateStore store;
  private final ProgressStore progress;
  private final List<Pipeline> pipelines;
  private final String checkpointDir;
  private final Duration triggerInterval;
  private final ProgressRule.Lateness lateness;
  private final Duration storeOutageTolerance;
  private final ValidationRules rules;
  private final Clock clock;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<StreamingQuery> running = new java.util.concurrent.CopyOnWriteArrayList<>();

  private StreamJob(Builder b) {
    this.spark = Objects.requireNonNull(b.spark, "spark");
    this.source = Objects.requireNonNull(b.source, "source");
    this.store = Objects.requireNonNull(b.store, "store");
    this.progress = Objects.requireNonNull(b.progress, "progress");
    this.pipelines = List.copyOf(Objects.requireNonNull(b.pipelines, "pipelines"));
    this.checkpointDir = Objects.requireNonNull(b.checkpointDir, "checkpointDir");
    this.triggerInterval = b.triggerInterval;
    this.lateness = Objects.requireNonNull(b.lateness, "lateness");
    this.storeOutageTolerance = Objects.requireNonNull(b.storeOutageTolerance, "storeOutageTolerance");
    this.rules = Objects.requireNonNull(b.rules, "rules");
    this.clock = Objects.requireNonNull(b.clock, "clock");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What a run committed: the last progress of each pipeline (empty when it never committed a batch). */
  public record Outcome(Map<Pipeline, Optional<AggregationProgress>> progress) implements JobOutcome {
    @Override
    public boolean succeeded() {
      return true; // a failed query throws
    }

    @Override
    public String summary() {
      List<String> parts = new ArrayList<>();
      progress.forEach((p, pr) -> parts.add(pr.map(a -> p.id + " at batch " + a.batchId() + ", finalized_before "
          + a.finalizedBefore()).orElse(p.id + " has no batch committed")));
      return "stream stopped: " + String.join("; ", parts);
    }
  }

  /** Starts every pipeline's query and waits: until all are done (available-now) or one fails or stops. */
  public Outcome run() throws StreamingQueryException, IOException, TimeoutException {
    if (source instanceof MySqlTableSource table) {
      pollTable(table);
      return outcome();
    }
    List<StreamingQuery> queries = start();
    // On SIGTERM stop the queries before Spark's own hook (priority 50) stops the SparkContext under them.
    Runnable stopper = () -> stopAll(queries);
    ShutdownHookManager.get().addShutdownHook(stopper, SHUTDOWN_PRIORITY);
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
      if (!ShutdownHookManager.get().isShutdownInProgress()) {
        ShutdownHookManager.get().removeShutdownHook(stopper);
      }
    }
    for (StreamingQuery q : queries) {
      if (q.exception().isDefined()) {
        stopIfCheckpointDiskFull(q.exception().get());
        throw q.exception().get();
      }
    }
    return outcome();
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

  private Outcome outcome() {
    Map<Pipeline, Optional<AggregationProgress>> last = new LinkedHashMap<>();
    for (Pipeline p : pipelines) {
      Optional<AggregationProgress> pr = progress.last(p);
      last.put(p, pr);
      pr.ifPresentOrElse(
          a -> LOG.info("{}: committed batch {}, finalized_before {}; in total {} merged ({} late), {} bad, {} too"
                  + " late", p.id, a.batchId(), a.finalizedBefore(), a.validTotal(), a.lateTotal(), a.badTotal(),
              a.tooLateTotal()),
          () -> LOG.info("{}: no batch committed yet (no input from {})", p.id, source.describe(p)));
    }
    return new Outcome(last);
  }

  /**
   * The MySQL raw table, read by position instead of a Spark query: each micro-batch reads the ids after the committed
   * position and commits the new position with its aggregates (batch ids follow the committed one). Available-now
   * stops when nothing new is left; with an interval it polls until SIGTERM.
   */
  private void pollTable(MySqlTableSource table) {
    pipelines.forEach(table::requireServes);
    Runnable stopper = () -> stopping.set(true);
    ShutdownHookManager.get().addShutdownHook(stopper, SHUTDOWN_PRIORITY);
    try {
      Map<Pipeline, MicroBatchAggregator> aggregators = new LinkedHashMap<>();
      for (Pipeline p : pipelines) {
        aggregators.put(p, new MicroBatchAggregator(p, store, progress, rules, lateness, clock)
            .storeOutageTolerance(storeOutageTolerance));
        LOG.info("{}: started (trigger {}, allowed lateness {}, max revision age {}, input {}, aggregates {},"
                + " position {})", p.id, triggerInterval == null ? "available-now" : triggerInterval,
            lateness.allowedLateness(), lateness.maxRevisionAge(), table.describe(p), store.describe(),
            progress.last(p).map(AggregationProgress::sourcePosition).orElse("the start"));
      }
      while (!stopping.get()) {
        boolean read = false;
        for (Map.Entry<Pipeline, MicroBatchAggregator> e : aggregators.entrySet()) {
          Optional<AggregationProgress> committed = progress.last(e.getKey());
          TablePosition position = TablePosition.parse(committed.map(AggregationProgress::sourcePosition).orElse(null));
          MySqlTableSource.Batch batch = table.next(spark, e.getKey(), position, clock.instant());
          if (batch == null) {
            continue;
          }
          for (TablePosition.Gap g : batch.abandoned()) {
            LOG.warn("{}: ids {}..{} of the raw table never appeared within the gap timeout (missing since {}):"
                + " taken as rolled back, not read again", e.getKey().id, g.from(), g.to(), g.since());
          }
          e.getValue().process(batch.lines(), committed.map(a -> a.batchId() + 1).orElse(0L),
              batch.position().format());
          read = true;
        }
        if (!read) {
          if (triggerInterval == null) {
            return;
          }
          sleep(triggerInterval);
        }
      }
      LOG.info("stopping between micro-batches (SIGTERM, or stop() was called)");
    } finally {
      if (!ShutdownHookManager.get().isShutdownInProgress()) {
        ShutdownHookManager.get().removeShutdownHook(stopper);
      }
    }
  }

  /**
   * Stops the job between micro-batches, from another thread (a shell, a test): its queries stop, and a table
   * source's polling ends after the batch in progress; {@link #run} then returns.
   */
  public void stop() {
    stopping.set(true);
    stopAll(running);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the next micro-batch", e);
    }
  }

  /** Starts one query per configured pipeline. */
  public List<StreamingQuery> start() throws IOException, TimeoutException {
    List<StreamingQuery> queries = new ArrayList<>();
    for (Pipeline p : pipelines) {
      source.prepare(p);
      MicroBatchAggregator aggregator = new MicroBatchAggregator(p, store, progress, rules, lateness, clock)
            .storeOutageTolerance(storeOutageTolerance);
      VoidFunction2<Dataset<Row>, Long> body = (batch, batchId) -> aggregator.process(batch, batchId);
      Trigger trigger = triggerInterval == null
          ? Trigger.AvailableNow()
          : Trigger.ProcessingTime(triggerInterval.toMillis(), TimeUnit.MILLISECONDS);
      String checkpoint = checkpointDir + "/" + p.id;
      StreamingQuery q =
          source.stream(spark, p)
              .writeStream()
              .queryName(p.id)
              .option("checkpointLocation", checkpoint)
              .trigger(trigger)
              .foreachBatch(body)
              .start();
      LOG.info("{}: started (trigger {}, allowed lateness {}, max revision age {}, input {}, aggregates {},"
              + " checkpoint {}, last committed batch {})",
          p.id, triggerInterval == null ? "available-now" : triggerInterval, lateness.allowedLateness(),
          lateness.maxRevisionAge(), source.describe(p),
          store.describe(), checkpoint, progress.last(p).map(a -> Long.toString(a.batchId())).orElse("none"));
      queries.add(q);
      running.add(q);
    }
    return queries;
  }

  /**
   * Until one of this job's queries ends. Not {@code spark.streams().awaitAnyTermination()}: in a shared session (a
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

  /** Every collaborator of a {@link StreamJob}; all but the trigger interval are required. */
  public static final class Builder {
    private SparkSession spark;
    private RawSource source;
    private AggregateStore store;
    private ProgressStore progress;
    private List<Pipeline> pipelines;
    private String checkpointDir;
    private Duration triggerInterval;
    private ProgressRule.Lateness lateness;
    private ValidationRules rules;
    private Clock clock;
    private Duration storeOutageTolerance = Duration.ZERO;

    private Builder() {}

    /** How long a micro-batch waits out an unreachable store before the stream stops (zero: stop at once). */
    public Builder storeOutageTolerance(Duration tolerance) {
      this.storeOutageTolerance = tolerance;
      return this;
    }

    public Builder spark(SparkSession spark) {
      this.spark = spark;
      return this;
    }

    public Builder source(RawSource source) {
      this.source = source;
      return this;
    }

    public Builder store(AggregateStore store, ProgressStore progress) {
      this.store = store;
      this.progress = progress;
      return this;
    }

    public Builder pipelines(List<Pipeline> pipelines) {
      this.pipelines = pipelines;
      return this;
    }

    public Builder checkpointDir(String checkpointDir) {
      this.checkpointDir = checkpointDir;
      return this;
    }

    /** A micro-batch every {@code interval}, until stopped; null (the default) processes what is there and stops. */
    public Builder triggerInterval(Duration interval) {
      this.triggerInterval = interval;
      return this;
    }

    /** When hours become final (later readings for them are late, still merged) and when they close. */
    public Builder lateness(ProgressRule.Lateness lateness) {
      this.lateness = lateness;
      return this;
    }

    public Builder rules(ValidationRules rules) {
      this.rules = rules;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public StreamJob build() {
      return new StreamJob(this);
    }
  }
}
