package io.siloreports.stream;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.store.AggregateStore;
import io.siloreports.store.ProgressStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming application: one {@link MicroBatchAggregator} per pipeline, fed raw lines by its
 * {@link MicroBatchEngine} (Spark queries with a checkpoint directory each under the checkpoint root, or the MySQL
 * raw table read by position), aggregates out. Available-now runs process what has arrived and stop; with an interval
 * it runs until stopped: SIGTERM, or the stop file ({@link StopMarker}), stops the engine between batches and
 * {@link #run} returns normally. With a MySQL sink it also runs the aggregates' retention ({@link ScheduledRetention}).
 * Built by {@link #builder()} with every collaborator given. Longer than most files: the run's life cycle (start, the
 * stop file, retention, shutdown hook, outcome) and the builder of its many collaborators belong together.
 */
public final class StreamJob {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);
  private static final int SHUTDOWN_PRIORITY = 100;

  private final MicroBatchEngine engine;
  private final AggregateStore store;
  private final ProgressStore progress;
  private final List<Pipeline> pipelines;
  private final Duration triggerInterval;
  private final ProgressRule.Lateness lateness;
  private final Duration storeOutageTolerance;
  private final ValidationRules rules;
  private final Clock clock;
  private final StopMarker stopMarker;
  private final RunAttempt attempt;
  private final StreamMetrics metrics;
  private final InetSocketAddress metricsAt; // null: not served
  private final ScheduledRetention retention; // null: none runs in this stream
  private volatile boolean stoppedByMarker;
  private HTTPServer endpoint;

  private StreamJob(Builder b) {
    this.engine = Objects.requireNonNull(b.engine, "engine");
    this.store = Objects.requireNonNull(b.store, "store");
    this.progress = Objects.requireNonNull(b.progress, "progress");
    this.pipelines = List.copyOf(Objects.requireNonNull(b.pipelines, "pipelines"));
    this.triggerInterval = b.triggerInterval;
    this.lateness = Objects.requireNonNull(b.lateness, "lateness");
    this.storeOutageTolerance = Objects.requireNonNull(b.storeOutageTolerance, "storeOutageTolerance");
    this.rules = Objects.requireNonNull(b.rules, "rules");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.stopMarker = b.stopMarker;
    this.attempt = b.attempt;
    this.metrics = new StreamMetrics(clock);
    this.metricsAt = b.metricsAt;
    this.retention = b.retention;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What a run committed: the last progress of each pipeline (empty when it never committed a batch). */
  public record Outcome(Map<Pipeline, Optional<AggregationProgress>> progress, String stopFile)
      implements JobOutcome {
    @Override
    public boolean succeeded() {
      return true; // a failed query throws
    }

    /** Whether the stop file ended the run (null {@link #stopFile}: it did not). */
    public boolean stoppedByStopFile() {
      return stopFile != null;
    }

    @Override
    public String summary() {
      List<String> parts = new ArrayList<>();
      progress.forEach((p, pr) -> parts.add(pr.map(a -> p.id + " at batch " + a.batchId() + ", finalized_before "
          + a.finalizedBefore()).orElse(p.id + " has no batch committed")));
      return "stream stopped" + (stopFile == null ? "" : " by the stop file " + stopFile + " (deleted)") + ": "
          + String.join("; ", parts);
    }
  }

  /** Its metrics: what {@code stream.metrics.port} serves, and tests read. */
  public StreamMetrics metrics() {
    return metrics;
  }

  /** Starts every pipeline and waits: until all are done (available-now) or one fails or stops. */
  public Outcome run() throws StreamingQueryException, IOException, TimeoutException {
    if (stopMarker != null) {
      stopMarker.clearLeftover();
    }
    start();
    // On SIGTERM stop between batches, before Spark's own hook (priority 50) stops the SparkContext under them.
    Runnable stopper = engine::stop;
    ShutdownHookManager.get().addShutdownHook(stopper, SHUTDOWN_PRIORITY);
    ScheduledExecutorService watcher = stopMarker == null ? null : watchStopMarker();
    if (retention != null) {
      retention.start();
    }
    try {
      engine.await();
    } finally {
      if (retention != null) {
        retention.stop();
      }
      if (watcher != null) {
        stopWatching(watcher);
      }
      if (endpoint != null) {
        endpoint.close();
      }
      if (!ShutdownHookManager.get().isShutdownInProgress()) {
        ShutdownHookManager.get().removeShutdownHook(stopper);
      }
    }
    if (stoppedByMarker) {
      stopMarker.delete();
    }
    return outcome();
  }

  /** Ends the stop file's watcher, letting a stop it began finish (interrupting it would interrupt Spark's). */
  private static void stopWatching(ScheduledExecutorService watcher) {
    watcher.shutdown();
    try {
      watcher.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Looks for the stop file every trigger interval (at least every second, at most every 10 s; a look is one request
   * on S3) and stops the engine when it appears.
   */
  private ScheduledExecutorService watchStopMarker() {
    long every = Math.min(10_000, Math.max(1_000, triggerInterval == null ? 0 : triggerInterval.toMillis()));
    ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "silo-reports-stop-file");
      t.setDaemon(true);
      return t;
    });
    watcher.scheduleWithFixedDelay(() -> {
      if (!stoppedByMarker && stopMarker.present()) {
        stoppedByMarker = true;
        LOG.info("the stop file {} is there: stopping between micro-batches (a planned stop; the next start resumes"
            + " from the last committed batch)", stopMarker.path());
        engine.stop();
      }
    }, every, every, TimeUnit.MILLISECONDS);
    return watcher;
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
          () -> LOG.info("{}: no batch committed yet (no input from {})", p.id, engine.input(p)));
    }
    return new Outcome(last, stoppedByMarker ? stopMarker.path() : null);
  }

  /**
   * Stops the job between micro-batches, from another thread (a shell, a test): its queries stop, and a table
   * source's polling ends after the batch in progress; {@link #run} then returns.
   */
  public void stop() {
    engine.stop();
  }

  /**
   * Starts every configured pipeline: its aggregator, fed by the engine, and one log line saying where it resumes.
   * Returns the Spark queries started (none when the engine feeds the aggregators from {@link #run}'s thread).
   */
  public List<StreamingQuery> start() throws IOException, TimeoutException {
    Map<Pipeline, MicroBatchAggregator> aggregators = new LinkedHashMap<>();
    for (Pipeline p : pipelines) {
      aggregators.put(p, new MicroBatchAggregator(p, store, progress, rules, lateness, clock)
          .storeOutageTolerance(storeOutageTolerance).metrics(metrics));
      progress.last(p).ifPresent(a -> metrics.resumed(p, a));
    }
    if (metricsAt != null && endpoint == null) { // once the ages of where it resumes are there
      endpoint = metrics.serve(metricsAt.getHostString(), metricsAt.getPort());
    }
    if (attempt != null) {
      attempt.restartLine().ifPresent(LOG::warn);
    }
    List<StreamingQuery> queries = engine.start(aggregators, triggerInterval);
    for (Pipeline p : pipelines) {
      LOG.info("{}: started (trigger {}, allowed lateness {}, max revision age {}, input {}, aggregates {}, {})",
          p.id, triggerInterval == null ? "available-now" : triggerInterval, lateness.allowedLateness(),
          lateness.maxRevisionAge(), engine.input(p), store.describe(), engine.resumesFrom(p, progress.last(p)));
    }
    return queries;
  }

  /** Every collaborator of a {@link StreamJob}; all but the trigger interval are required. */
  public static final class Builder {
    private MicroBatchEngine engine;
    private AggregateStore store;
    private ProgressStore progress;
    private List<Pipeline> pipelines;
    private Duration triggerInterval;
    private ProgressRule.Lateness lateness;
    private ValidationRules rules;
    private Clock clock;
    private Duration storeOutageTolerance = Duration.ZERO;
    private StopMarker stopMarker;
    private RunAttempt attempt;
    private InetSocketAddress metricsAt;
    private ScheduledRetention retention;

    private Builder() {}

    /** Serve the metrics on {@code bind:port} while running (port 0: any free one); null port (the default): not. */
    public Builder metricsEndpoint(String bind, Integer port) {
      this.metricsAt = port == null ? null : InetSocketAddress.createUnresolved(bind, port);
      return this;
    }

    /** The planned stop's file (none by default): when it appears the run stops between batches and returns. */
    public Builder stopMarker(StopMarker marker) {
      this.stopMarker = marker;
      return this;
    }

    /** The aggregates' retention, run alongside the micro-batches while {@link #run} runs (none by default). */
    public Builder retention(ScheduledRetention retention) {
      this.retention = retention;
      return this;
    }

    /** Which attempt of its application this run is (YARN restarts a failed stream); logged when not the first. */
    public Builder attempt(RunAttempt attempt) {
      this.attempt = attempt;
      return this;
    }

    /** How long a micro-batch waits out an unreachable store before the stream stops (zero: stop at once). */
    public Builder storeOutageTolerance(Duration tolerance) {
      this.storeOutageTolerance = tolerance;
      return this;
    }

    /** How the micro-batches reach the aggregators (Spark queries, or the MySQL raw table polled by position). */
    public Builder engine(MicroBatchEngine engine) {
      this.engine = engine;
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
