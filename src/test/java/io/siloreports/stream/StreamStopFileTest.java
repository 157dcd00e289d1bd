package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.cli.Main;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * A planned stop ({@code stream.stop-file}): a running stream that finds the file stops between micro-batches and
 * {@code main} returns normally (exit 0: an EMR step ends COMPLETED, where a YARN kill leaves it FAILED); the file is
 * deleted, one left from before a start is deleted at the start instead of stopping it, and the next start resumes
 * exactly (every reading once, against the oracle).
 */
class StreamStopFileTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(23);
  private final List<Oracle.Reading> counted = new ArrayList<>();
  @TempDir Path tmp;

  private Map<String, String> profile() {
    Map<String, String> m = Profiles.embedded(tmp);
    m.put("stream.pipelines", "silo-readings");
    m.put("stream.trigger", "300ms");
    return m; // stream.stop-file: its default, <checkpoint.dir>/STOP
  }

  private void file(int index, int h0, int h1) throws Exception {
    List<Oracle.Reading> r = TestData.readings(rnd).silos(3).hours(DAY, h0, h1).every(120, 300).build();
    InputFiles.write(tmp.resolve("input/silo-readings"), String.format("readings-%02d.jsonl", index), TestData.json(r));
    counted.addAll(r);
  }

  private long committed(Map<String, String> profile) {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress().last(Pipeline.SILO_READINGS)
        .map(AggregationProgress::validTotal).orElse(0L);
  }

  private void awaitCommitted(Map<String, String> profile, CompletableFuture<?> run) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (committed(profile) < counted.size()) {
      assertFalse(run.isDone(), () -> "the stream runs until it is told to stop, but ended: " + run.join());
      assertTrue(System.nanoTime() < end, "committed " + committed(profile) + " of " + counted.size());
      Thread.sleep(100);
    }
  }

  private static String[] args(String command, Map<String, String> profile) {
    List<String> a = new ArrayList<>(List.of(command));
    profile.forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
    return a.toArray(String[]::new);
  }

  @Test
  void aRunningStreamStopsOnTheStopFileReturnsNormallyAndTheNextStartResumesExactly() throws Exception {
    Map<String, String> profile = profile();
    Path stop = tmp.resolve("checkpoints/STOP");
    Files.createDirectories(stop.getParent());
    Files.writeString(stop, "left from an earlier stop");
    file(0, 0, 3);

    // Through the command line, as spark-submit runs it: the leftover file is deleted, the stream runs.
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(args("stream", profile)));
    awaitCommitted(profile, run);
    assertFalse(Files.exists(stop), "the leftover stop file was deleted at the start");
    file(1, 3, 5);
    awaitCommitted(profile, run);

    Files.writeString(stop, "");
    long asked = System.nanoTime();
    assertEquals(Main.DONE, run.get(60, TimeUnit.SECONDS), "a planned stop is a normal end (exit 0)");
    long tookMillis = (System.nanoTime() - asked) / 1_000_000;
    assertTrue(tookMillis < 30_000, "stopped within " + tookMillis + " ms of the stop file");
    assertFalse(Files.exists(stop), "the stop file is deleted, so the next start runs");

    // Arrived while stopped: the next start (a job of its own, stopped the same way) reads it once.
    file(2, 5, 7);
    StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK);
    CompletableFuture<StreamJob.Outcome> second = CompletableFuture.supplyAsync(() -> {
      try {
        return job.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    awaitCommitted(profile, second);
    Files.writeString(stop, "");
    StreamJob.Outcome outcome = second.get(60, TimeUnit.SECONDS);
    assertTrue(outcome.stoppedByStopFile(), outcome.summary());
    assertTrue(outcome.summary().contains("stopped by the stop file " + stop), outcome.summary());

    AggregationProgress last = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
        .last(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(counted.size(), last.validTotal(), "every reading once across the stops");
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(counted), HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).aggregates()
            .aggregates(Pipeline.SILO_READINGS, last))));
  }
}
