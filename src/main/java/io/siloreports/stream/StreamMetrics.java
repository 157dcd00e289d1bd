package io.siloreports.stream;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream's metrics, in its own registry: what each committed micro-batch did (from the counts the aggregator
 * already has, so the file, Kafka and MySQL-table sources are all covered), how old the last commit and the newest
 * event are (read at scrape time from the last progress this JVM committed or resumed from), and how often an
 * unreachable store or source was waited out. Served by Prometheus' own exporter ({@link #serve}) on
 * {@code stream.metrics.port}; docs/metrics.md lists every name. Label values are pipeline ids and fixed words only.
 */
public final class StreamMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(StreamMetrics.class);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Clock clock;
  private final Map<String, AggregationProgress> last = new ConcurrentHashMap<>();
  private final Histogram batchDuration = Histogram.builder()
      .name("silo_reports_stream_batch_duration_seconds")
      .help("time of a committed micro-batch: read, classify, aggregate, store and commit")
      .labelNames("pipeline")
      .classicOnly()
      .classicUpperBounds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
      .register(registry);
  private final Counter batches = Counter.builder()
      .name("silo_reports_stream_batches_total")
      .help("micro-batches committed")
      .labelNames("pipeline")
      .register(registry);
  private final Counter records = Counter.builder()
      .name("silo_reports_stream_records_total")
      .help("records of committed micro-batches by outcome: merged (late ones included), late (merged into an hour"
          + " already final), bad (quarantined, invalid), too_late (quarantined, hour closed for revision)")
      .labelNames("pipeline", "outcome")
      .register(registry);
  private final Counter outageWaits = Counter.builder()
      .name("silo_reports_stream_outage_waits_total")
      .help("pauses waiting out an unreachable dependency: store (MySQL, a full disk) or source (Kafka)")
      .labelNames("pipeline", "dependency")
      .register(registry);

  public StreamMetrics(Clock clock) {
    this.clock = clock;
    GaugeWithCallback.builder()
        .name("silo_reports_stream_commit_age_seconds")
        .help("seconds since the pipeline's last committed micro-batch (absent until it has one)")
        .labelNames("pipeline")
        .callback(cb -> last.forEach((p, a) -> cb.call(secondsSince(a.updatedAt()), p)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("silo_reports_stream_event_time_lag_seconds")
        .help("seconds between now and the largest event time the pipeline has committed")
        .labelNames("pipeline")
        .callback(cb -> last.forEach((p, a) -> {
          if (a.maxEventTime() != null) {
            cb.call(secondsSince(a.maxEventTime()), p);
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("silo_reports_stream_last_committed_batch")
        .help("id of the pipeline's last committed micro-batch")
        .labelNames("pipeline")
        .callback(cb -> last.forEach((p, a) -> cb.call(a.batchId(), p)))
        .register(registry);
  }

  private double secondsSince(Instant t) {
    return Duration.between(t, clock.instant()).toMillis() / 1000.0;
  }

  /** Where a pipeline resumes from (so the ages are there before its first batch of this run). */
  void resumed(Pipeline p, AggregationProgress committed) {
    last.put(p.id, committed);
  }

  /** A committed micro-batch: its counts, its time, the progress it committed. */
  void committed(Pipeline p, MicroBatchAggregator.BatchResult r, Duration took) {
    batchDuration.labelValues(p.id).observe(took.toNanos() / 1e9);
    batches.labelValues(p.id).inc();
    records.labelValues(p.id, "merged").inc(r.valid());
    records.labelValues(p.id, "late").inc(r.late());
    records.labelValues(p.id, "bad").inc(r.bad());
    records.labelValues(p.id, "too_late").inc(r.tooLate());
    last.put(p.id, r.progress());
  }

  /** One pause waiting for {@code dependency} ({@code store} or {@code source}). */
  void outageWait(Pipeline p, String dependency) {
    outageWaits.labelValues(p.id, dependency).inc();
  }

  /** The registry, for a test's scrape. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** Serves {@code /metrics} on {@code bind:port} (port 0: any free one) with Prometheus' own exporter. */
  HTTPServer serve(String bind, int port) throws IOException {
    HTTPServer server;
    try {
      server = HTTPServer.builder().hostname(bind).port(port).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new IOException("cannot serve the stream's metrics on " + bind + ":" + port + " (stream.metrics.bind,"
          + " stream.metrics.port): " + e.getMessage() + "; free the port or choose another", e);
    }
    LOG.info("stream metrics on http://{}:{}/metrics", bind, server.getPort());
    return server;
  }
}
