package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.BackgroundStream;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.PrometheusText;
import io.siloreports.testing.TestData;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.store.ParquetProgressStore;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream's metrics against what the stream committed and what the test wrote: records merged and bad per
 * pipeline equal to the lines written and to the committed totals, one batch duration per committed batch, the commit
 * age and event-time lag as the clock moves, the endpoint of {@code stream.metrics.port} up while a stream runs (with
 * the ages of where it resumed before any new batch) and closed when it stops. Scraped over HTTP from Prometheus'
 * exporter and read back by {@link PrometheusText}.
 */
class StreamMetricsTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final List<String> BAD = List.of("{\"silo_id\": 1, \"ts\": \"2026-11-20T04:10:00Z\"",
      "{\"silo_id\": 1, \"value\": 3.5}", "{\"silo_id\": \"two\", \"ts\": \"2026-11-20T04:10:00Z\", \"value\": 3.5}",
      "not json at all", "{\"silo_id\": 2, \"ts\": \"2999-01-01T00:00:00Z\", \"value\": 1.0}");
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path dir;

  static PrometheusText scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return new PrometheusText(r.body());
  }

  @Test
  void theMetricsEqualWhatTheStreamCommittedAndTheAgesFollowTheClock() throws Exception {
    Map<String, String> profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    Random rnd = new Random(3);
    List<Oracle.Reading> written = new ArrayList<>();
    for (int f = 0; f < 2; f++) {
      List<Oracle.Reading> r = TestData.readings(rnd).silos(3).hours(DAY, 2 * f, 2 * f + 2).every(300, 400)
          .values(2, 100, 0).bySilo().build();
      written.addAll(r);
      List<String> lines = new ArrayList<>(TestData.json(r));
      if (f == 1) {
        lines.addAll(3, BAD);
      }
      InputFiles.write(dir.resolve("input/silo-readings"), "readings-" + f + ".jsonl", lines);
    }
    MovableClock clock = new MovableClock(Instant.parse("2026-11-20T06:00:00Z"));
    StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, clock);
    AggregationProgress committed;
    try (HTTPServer endpoint = job.metrics().serve("127.0.0.1", 0)) {
      job.run();
      committed = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
          .last(Pipeline.SILO_READINGS).orElseThrow();
      PrometheusText m = scrape(endpoint.getPort());
      String p = Pipeline.SILO_READINGS.id;
      assertEquals(written.size(), m.sum("silo_reports_stream_records_total", "pipeline", p, "outcome", "merged"));
      assertEquals(committed.validTotal(), written.size());
      assertEquals(BAD.size(), m.sum("silo_reports_stream_records_total", "pipeline", p, "outcome", "bad"));
      assertEquals(committed.badTotal(), BAD.size());
      assertEquals(committed.lateTotal(), m.sum("silo_reports_stream_records_total", "pipeline", p, "outcome", "late"));
      assertEquals(committed.tooLateTotal(),
          m.sum("silo_reports_stream_records_total", "pipeline", p, "outcome", "too_late"));
      assertEquals(2, m.sum("silo_reports_stream_batches_total", "pipeline", p), "one batch per file");
      assertEquals(committed.batchId() + 1, m.sum("silo_reports_stream_batches_total", "pipeline", p));
      assertEquals(2, m.sum("silo_reports_stream_batch_duration_seconds_count", "pipeline", p));
      assertEquals(committed.batchId(), m.sum("silo_reports_stream_last_committed_batch", "pipeline", p));

      clock.advance(Duration.ofHours(2));
      PrometheusText later = scrape(endpoint.getPort());
      assertEquals(Duration.between(committed.updatedAt(), clock.instant()).toMillis() / 1000.0,
          later.sum("silo_reports_stream_commit_age_seconds", "pipeline", p), 1e-9);
      assertTrue(later.sum("silo_reports_stream_commit_age_seconds", "pipeline", p) >= 7200);
      assertEquals(Duration.between(committed.maxEventTime(), clock.instant()).toMillis() / 1000.0,
          later.sum("silo_reports_stream_event_time_lag_seconds", "pipeline", p), 1e-9);
    }

    // stream.metrics.port: served while a stream runs, from where it resumed before any batch; closed once it stops.
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    profile.put("stream.trigger", "1s");
    profile.put("stream.metrics.port", Integer.toString(port));
    StreamJob running = Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, clock);
    CompletableFuture<Void> done = BackgroundStream.running(running);
    PrometheusText resumed = null;
    for (long end = System.nanoTime() + 60_000_000_000L; resumed == null && System.nanoTime() < end; ) {
      try {
        resumed = scrape(port);
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    assertTrue(resumed != null, "the endpoint of stream.metrics.port answered");
    assertEquals(committed.batchId(), resumed.sum("silo_reports_stream_last_committed_batch", "pipeline",
        Pipeline.SILO_READINGS.id));
    assertEquals(Duration.between(committed.updatedAt(), clock.instant()).toMillis() / 1000.0,
        resumed.sum("silo_reports_stream_commit_age_seconds", "pipeline", Pipeline.SILO_READINGS.id), 1e-9);
    running.stop();
    done.get(60, TimeUnit.SECONDS);
    assertThrows(IOException.class, () -> scrape(port), "the endpoint closes with the stream");
  }

  /** A store that cannot be reached at the first commit: one wait counted, then the batch commits and is counted. */
  @Test
  void aStoreOutageWaitedOutIsCounted() throws Exception {
    String root = dir.resolve("warehouse").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), root);
    AtomicInteger unreachable = new AtomicInteger(1);
    ParquetAggregateStore store = new ParquetAggregateStore(spark, root, progress, 100, () -> {
      if (unreachable.getAndDecrement() > 0) {
        throw new UncheckedIOException(new ConnectException("the test's store is down"));
      }
    });
    MovableClock clock = new MovableClock(Instant.parse("2026-11-20T06:00:00Z"));
    StreamMetrics metrics = new StreamMetrics(clock);
    List<Oracle.Reading> r = TestData.readings(new Random(4)).silos(2).hours(DAY, 0, 1).every(300, 400)
        .values(2, 100, 0).bySilo().build();
    new MicroBatchAggregator(Pipeline.SILO_READINGS, store, progress, TestRules.DEFAULTS, TestRules.LATENESS, clock)
        .storeOutageTolerance(Duration.ofSeconds(30)).metrics(metrics)
        .process(Rows.lines(spark, TestData.json(r)), 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
    PrometheusText m = new PrometheusText(out.toString(StandardCharsets.UTF_8));
    String p = Pipeline.SILO_READINGS.id;
    assertEquals(1, m.sum("silo_reports_stream_outage_waits_total", "pipeline", p, "dependency", "store"));
    assertEquals(1, m.sum("silo_reports_stream_batches_total", "pipeline", p));
    assertEquals(r.size(), m.sum("silo_reports_stream_records_total", "pipeline", p, "outcome", "merged"));
  }
}
