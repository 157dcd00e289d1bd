package io.siloreports.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.stream.StreamJob;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.BackgroundStream;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.PrometheusText;
import io.siloreports.testing.TestData;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/prometheus/alerts.yml checked by Prometheus' own {@code promtool} (Debian's {@code prometheus} package):
 * {@code promtool check rules}, then {@code promtool test rules} on the metrics this test run produces. Two report
 * services (SQLite job stores; one with a worker whose submissions cannot start and whose webhook nobody answers) and
 * a stream (trigger 1 s, files, its own endpoint on {@code stream.metrics.port}) are scraped over HTTP at four
 * instants; each scrape becomes 20 one-minute samples of a promtool unit test ({@code input_series}, with Prometheus'
 * {@code job}/{@code instance} labels and {@code up}), and the test asserts the exact set of alerts firing at the end
 * of each stretch (ALERTS, counted by name): none at first; failed jobs, failed submissions and notifications and a
 * growing quarantine after a job failed and bad records arrived; a job pending too long, a stale pipeline and an
 * event-time lag once the clocks moved on; the stream's endpoint down once it stopped. Rules not expected fire in
 * none. The unit test file format: https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
 * (prometheus/prometheus docs/configuration/unit_testing_rules.md; promtool 2.42 as Debian 12 ships it).
 *
 * <p>promtool missing: skipped saying so, unless {@value #REQUIRED} is set (.ci/run sets it and installs it).
 */
class AlertRulesIT {
  static final String REQUIRED = "SILO_REPORTS_TESTS_REQUIRE_PROMTOOL";
  private static final Path RULES = Path.of("deploy/prometheus/alerts.yml").toAbsolutePath();
  private static final int MINUTES_PER_SCRAPE = 20;
  private static final int SCRAPES = 4;
  private static final String TOKEN = "alice-token-1-for-tests-0123456789";
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  @TempDir Path dir;
  /** series (with job and instance) -> its value at each scrape, "_" where there was none. */
  private final Map<String, String[]> series = new TreeMap<>();

  private static void requirePromtool() throws Exception {
    boolean there;
    try {
      there = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      there = false;
    }
    if (!there) {
      String why = "promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it)";
      if (System.getenv(REQUIRED) != null) {
        throw new AssertionError(why + "; " + REQUIRED + " is set, so this test must run here");
      }
      System.out.println("skipped: " + why);
      Assumptions.assumeTrue(false, why);
    }
  }

  /** promtool's exit code and output. */
  private static Map.Entry<Integer, String> promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool ended");
    return Map.entry(p.exitValue(), out);
  }

  @Test
  void theRulesFileIsValid() throws Exception {
    requirePromtool();
    Map.Entry<Integer, String> check = promtool("check", "rules", RULES.toString());
    assertEquals(0, check.getKey(), check.getValue());
    assertTrue(check.getValue().contains("SUCCESS: 13 rules found"), check.getValue());
  }

  @Test
  void theAlertsFireOnTheMetricsOfATestRunExactlyWhenTheyShould() throws Exception {
    requirePromtool();
    // A service without a worker (jobs stay PENDING until the test fails one), on a clock the test moves.
    MovableClock serviceClock = new MovableClock(Instant.now());
    Map<String, String> a = service(dir.resolve("a"));
    ReportService plain = Wiring.api(ApiConfig.from(Settings.of(a)), serviceClock);
    // A service whose worker cannot start a run (no spark-submit there) and whose webhook nobody answers.
    int closedPort = freePort();
    Map<String, String> b = service(dir.resolve("b"));
    b.put("api.worker", "true");
    b.put("worker.poll-interval", "200ms");
    b.put("submit.local.warm", "false"); // every report through spark-submit, which is not there
    b.put("submit.local.spark-home", dir.resolve("no-spark-here").toString());
    b.put("submit.local.log-dir", dir.resolve("b/logs").toString());
    b.put("notify.targets", "http://127.0.0.1:" + closedPort + "/hook");
    b.put("notify.webhook.secret", "shared-secret-for-tests");
    b.put("notify.webhook.attempts", "1");
    ReportService worker = Wiring.api(ApiConfig.from(Settings.of(b)), Clock.systemUTC());
    // A stream with its own endpoint; its clock starts an hour after its first file's newest reading.
    Map<String, String> s = Profiles.embedded(dir.resolve("stream"));
    s.put("stream.pipelines", "silo-readings");
    s.put("stream.trigger", "1s");
    int streamPort = freePort();
    s.put("stream.metrics.port", Integer.toString(streamPort));
    Random rnd = new Random(8);
    Path in = dir.resolve("stream/input/silo-readings");
    InputFiles.write(in, "readings-0.jsonl", TestData.json(readings(rnd, 0, 2)));
    MovableClock streamClock = new MovableClock(DAY.plus(Duration.ofHours(3)));
    StreamJob stream = Wiring.stream(StreamConfig.from(Settings.of(s)), LocalSpark.get(), streamClock);
    CompletableFuture<Void> streaming = BackgroundStream.running(stream);
    try {
      plain.start();
      worker.start();
      ApiClient apiA = new ApiClient(plain.url(), TOKEN);
      ApiClient apiB = new ApiClient(worker.url(), TOKEN);
      String streamUrl = "http://127.0.0.1:" + streamPort;
      awaitBatches(streamUrl, 1);

      // Scrape 0: two jobs pending, the stream committed clean data.
      String first = apiA.post("/api/reports", "{\"silos\": [1]}").json().get("jobId").asText();
      apiA.post("/api/reports", "{\"silos\": [2]}");
      scrapeAll(0, apiA, apiB, streamUrl);

      // Scrape 1: one job failed; a job on the worker's service failed to start and to notify; bad records came.
      assertTrue(new ReportJobLifecycle(Wiring.jobStore(new Jdbc(a.get("jobstore.url"), null, null), false,
          serviceClock)).fail(first, "failed by the test"));
      String doomed = apiB.post("/api/reports", "{\"silos\": [1]}").json().get("jobId").asText();
      apiB.awaitJob(doomed, Set.of("FAILED"), Duration.ofSeconds(30));
      List<String> lines = new ArrayList<>(TestData.json(readings(rnd, 2, 4)));
      lines.addAll(4, List.of("{\"silo_id\": 1}", "not json", "{\"silo_id\": \"x\", \"ts\": \"2026-11-20T02:10:00Z\","
          + " \"value\": 1}", "{\"silo_id\": 2, \"value\": 3.5}", "{\"silo_id\": 2, \"ts\": \"2026-11-20T02:10:00Z\"}"));
      InputFiles.write(in, "readings-1.jsonl", lines);
      awaitBatches(streamUrl, 2);
      awaitNotificationFailure(apiB);
      scrapeAll(1, apiA, apiB, streamUrl);

      // Scrape 2: an hour later for the services, three for the stream, which committed nothing since.
      serviceClock.advance(Duration.ofHours(1));
      streamClock.advance(Duration.ofHours(3));
      scrapeAll(2, apiA, apiB, streamUrl);

      // Scrape 3: the stream stopped, its endpoint with it.
      stream.stop();
      streaming.get(60, TimeUnit.SECONDS);
      scrapeAll(3, apiA, apiB, streamUrl);
    } finally {
      stream.stop();
      plain.close();
      worker.close();
    }

    Map<Integer, Map<String, Integer>> firing = new LinkedHashMap<>();
    firing.put(0, Map.of());
    firing.put(1, Map.of("SiloReportsJobsFailing", 2, "SiloReportsSubmissionsFailing", 1,
        "SiloReportsNotificationsFailing", 1, "SiloReportsQuarantineGrowing", 1));
    firing.put(2, Map.of("SiloReportsJobsPendingTooLong", 1, "SiloReportsPipelineStale", 1,
        "SiloReportsEventTimeLag", 1));
    firing.put(3, Map.of("SiloReportsJobsPendingTooLong", 1, "SiloReportsMetricsDown", 1));
    Path test = dir.resolve("alerts-test.yml");
    Files.writeString(test, unitTest(firing));
    Map.Entry<Integer, String> run = promtool("test", "rules", test.toString());
    Path kept = Path.of("target/test-logs/alert-rules");
    Files.createDirectories(kept);
    Files.copy(test, kept.resolve("alerts-test.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(0, run.getKey(), "promtool test rules (the file is in " + kept + "):\n" + run.getValue());
  }

  private static Map<String, String> service(Path dir) {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("api.port", "0");
    m.put("api.tokens", "alice:" + TOKEN);
    m.put("api.worker", "false");
    return m;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static List<Oracle.Reading> readings(Random rnd, int fromHour, int toHour) {
    return TestData.readings(rnd).silos(3).hours(DAY, fromHour, toHour).every(300, 400).values(2, 100, 0).bySilo()
        .build();
  }

  private static String get(String url, String token) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> answer = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IOException("HTTP " + answer.statusCode() + " from " + url);
    }
    return answer.body();
  }

  private static void awaitBatches(String streamUrl, int batches) throws Exception {
    for (long end = System.nanoTime() + 120_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
      try {
        if (new PrometheusText(get(streamUrl + "/metrics", null)).sum("silo_reports_stream_batches_total") >= batches) {
          return;
        }
      } catch (IOException notYet) {
        // the stream's endpoint opens once its queries start
      }
    }
    throw new AssertionError("the stream did not commit " + batches + " batch(es) in 2 minutes");
  }

  private static void awaitNotificationFailure(ApiClient api) throws Exception {
    for (long end = System.nanoTime() + 30_000_000_000L; System.nanoTime() < end; Thread.sleep(200)) {
      if (new PrometheusText(api.get("/metrics").body()).sum("silo_reports_notification_failures_total") > 0) {
        return;
      }
    }
    throw new AssertionError("no failed notification counted in 30 s");
  }

  /** Scrape {@code k} of every target, as Prometheus would record it: its samples and its {@code up}. */
  private void scrapeAll(int k, ApiClient a, ApiClient b, String streamUrl) throws Exception {
    Thread.sleep(1100); // the job gauges are read from the store at most once a second
    record(k, "silo-reports-service", "service-a", () -> a.get("/metrics"));
    record(k, "silo-reports-service", "service-b", () -> b.get("/metrics"));
    record(k, "silo-reports-stream", "stream", () -> new ApiClient.Answer(200, null, get(streamUrl + "/metrics",
        null), null));
  }

  private interface Scrape {
    ApiClient.Answer get() throws Exception;
  }

  private void record(int k, String job, String instance, Scrape scrape) throws Exception {
    PrometheusText text = null;
    try {
      ApiClient.Answer answer = scrape.get();
      text = answer.status() == 200 ? new PrometheusText(answer.body()) : null;
    } catch (IOException down) {
      text = null;
    }
    put(k, "up{instance=\"" + instance + "\",job=\"" + job + "\"}", text == null ? 0 : 1);
    if (text == null) {
      return;
    }
    for (PrometheusText.Sample sample : text.samples().values()) {
      if (sample.name().startsWith("silo_reports_")) {
        Map<String, String> labels = new TreeMap<>(sample.labels());
        labels.put("job", job);
        labels.put("instance", instance);
        put(k, new PrometheusText.Sample(sample.name(), labels, sample.value()).series(), sample.value());
      }
    }
  }

  private void put(int k, String name, double value) {
    String[] values = series.computeIfAbsent(name, n -> {
      String[] v = new String[SCRAPES];
      Arrays.fill(v, "_");
      return v;
    });
    values[k] = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : Double.toString(value);
  }

  /**
   * The promtool unit test: every series, each scrape held for {@value #MINUTES_PER_SCRAPE} one-minute samples; at
   * the last minute of each stretch the alerts firing, counted by name, must be exactly {@code firing}'s.
   */
  private String unitTest(Map<Integer, Map<String, Integer>> firing) {
    StringBuilder y = new StringBuilder();
    y.append("rule_files:\n  - '").append(RULES).append("'\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n")
        .append("    input_series:\n");
    series.forEach((name, values) -> {
      List<String> samples = new ArrayList<>();
      for (String v : values) {
        for (int i = 0; i < MINUTES_PER_SCRAPE; i++) {
          samples.add(v);
        }
      }
      y.append("      - series: '").append(name.replace("'", "''")).append("'\n        values: '")
          .append(String.join(" ", samples)).append("'\n");
    });
    y.append("    promql_expr_test:\n");
    firing.forEach((k, alerts) -> {
      y.append("      - expr: count by (alertname) (ALERTS{alertstate=\"firing\"})\n        eval_time: ")
          .append((k + 1) * MINUTES_PER_SCRAPE - 1).append("m\n        exp_samples:")
          .append(alerts.isEmpty() ? " []\n" : "\n");
      new TreeMap<>(alerts).forEach((alert, count) -> y.append("          - labels: '{alertname=\"").append(alert)
          .append("\"}'\n            value: ").append(count).append('\n'));
    });
    return y.toString();
  }
}
