package io.siloreports.stream;

import io.siloreports.cli.StreamConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import io.siloreports.model.AggregationProgress;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job end to end on the embedded default (file source, Parquet aggregates), checked against a
 * plain-Java oracle over the raw input: bad records, late readings, restart on the same checkpoint, replayed
 * and crashed micro-batches.
 */
class StreamJobTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Duration LATENESS = Duration.ofMinutes(30);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), java.time.ZoneOffset.UTC);
  private static final List<String> BAD_READINGS =
      List.of(
          "{\"silo_id\": 1, \"ts\": \"2026-11-20T04:10:00Z\"",
          "{\"silo_id\": 1, \"value\": 3.5}",
          "{\"silo_id\": \"two\", \"ts\": \"2026-11-20T04:10:00Z\", \"value\": 3.5}",
          "{\"silo_id\": 2, \"ts\": \"2026-11-20T04:10:00Z\", \"value\": NaN}",
          "{\"silo_id\": 2, \"ts\": \"2999-01-01T00:00:00Z\", \"value\": 1.0}");
  private static final List<String> BAD_REASONS =
      List.of("unparseable JSON", "missing field: ts", "wrong type: silo_id", "non-finite value", "absurd timestamp");

  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  private StreamJob job(ParquetAggregateStore store, String pipelines) {
    Settings s =
        Settings.of(
            Map.of(
                "input.dir", tmp.resolve("input").toString(),
                "warehouse.dir", store.root(),
                "checkpoint.dir", tmp.resolve("checkpoints").toString(),
                "stream.pipelines", pipelines,
                "stream.allowed-lateness", "30m",
                "source.file.maxFilesPerTrigger", "1"));
    return new StreamJob(StreamConfig.from(s), spark, store, CLOCK);
  }

  /** Readings for silos 1..4 every ~3 minutes during {@code [fromHour, toHour)} of DAY, random values. */
  private static List<Oracle.Reading> readings(Random rnd, int fromHour, int toHour) {
    List<Oracle.Reading> out = new ArrayList<>();
    for (int silo = 1; silo <= 4; silo++) {
      for (Instant t = DAY.plus(fromHour, ChronoUnit.HOURS); t.isBefore(DAY.plus(toHour, ChronoUnit.HOURS));
          t = t.plusSeconds(150 + rnd.nextInt(60))) {
        out.add(new Oracle.Reading(silo, t, BigDecimal.valueOf(rnd.nextInt(20_000) - 5_000, 2)));
      }
    }
    return out;
  }

  private static List<String> json(List<Oracle.Reading> readings) {
    return readings.stream().map(Oracle.Reading::json).toList();
  }

  @Test
  void siloReadingsEndToEndWithBadLateRestartReplayAndCrash() throws Exception {
    Random rnd = new Random(11);
    Path in = tmp.resolve("input/silo-readings");
    ParquetAggregateStore store = new ParquetAggregateStore(spark, tmp.resolve("warehouse").toString());
    List<Oracle.Reading> counted = new ArrayList<>();

    // Run 1: three files (hours 0-1, 2-3, 4-5), bad records in the second, one batch per file.
    for (int f = 0; f < 3; f++) {
      List<Oracle.Reading> r = readings(rnd, 2 * f, 2 * f + 2);
      counted.addAll(r);
      List<String> lines = new ArrayList<>(json(r));
      if (f == 1) {
        lines.addAll(5, BAD_READINGS);
      }
      InputFiles.write(in, "readings-" + f + ".jsonl", lines);
    }
    job(store, "silo-readings").runToEnd();

    AggregationProgress p1 = store.progress(Pipeline.SILO_READINGS).orElseThrow();
    Instant maxTs = counted.stream().map(Oracle.Reading::ts).max(Instant::compareTo).orElseThrow();
    Instant expectedF1 = maxTs.minus(LATENESS).truncatedTo(ChronoUnit.HOURS);
    assertEquals(2, p1.batchId(), "one micro-batch per file");
    assertEquals(expectedF1, p1.finalizedBefore());
    assertEquals(counted.size(), p1.validTotal());
    assertEquals(BAD_READINGS.size(), p1.badTotal());
    assertAggregatesEqualOracle(store, counted);
    Map<Oracle.HourKey, Row> finalizedBefore = finalizedHours(store, expectedF1);

    // Run 2, a restart on the same checkpoint: late readings for hour 1 (finalized) and new hours 6-7.
    List<Oracle.Reading> late =
        List.of(new Oracle.Reading(1, DAY.plus(Duration.ofMinutes(61)), new BigDecimal("5000.00")),
            new Oracle.Reading(3, DAY.plus(Duration.ofMinutes(119)), new BigDecimal("-1.00")));
    List<Oracle.Reading> fresh = readings(rnd, 6, 8);
    // a reading in the open hour just at finalized_before is not late
    fresh.add(new Oracle.Reading(2, expectedF1, new BigDecimal("1.25")));
    counted.addAll(fresh);
    List<String> lines = new ArrayList<>(json(fresh));
    lines.addAll(json(late));
    InputFiles.write(in, "readings-3.jsonl", lines);
    job(store, "silo-readings").runToEnd();

    AggregationProgress p2 = store.progress(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(3, p2.batchId(), "the restart continued from the checkpoint: one new batch, no reprocessing");
    assertEquals(late.size(), p2.lateTotal());
    assertEquals(counted.size(), p2.validTotal());
    assertAggregatesEqualOracle(store, counted);
    assertEquals(finalizedBefore, finalizedHours(store, expectedF1), "finalized hours never change afterwards");

    List<Row> quarantine = store.quarantine(Pipeline.SILO_READINGS).orderBy("kind", "reason").collectAsList();
    assertEquals(BAD_READINGS.size() + late.size(), quarantine.size());
    Map<String, Integer> badByReason = new TreeMap<>();
    for (Row q : quarantine) {
      String kind = q.getAs("kind");
      String reason = q.getAs("reason");
      if (kind.equals("late")) {
        assertTrue(reason.startsWith("late: hour 2026-11-20T01:00Z was already finalized (finalized_before "
            + expectedF1 + ")"), reason);
        assertTrue(json(late).contains(q.<String>getAs("line")), "the raw line is kept");
      } else {
        String prefix = BAD_REASONS.stream().filter(reason::startsWith).findFirst().orElse(reason);
        badByReason.merge(prefix, 1, Integer::sum);
        assertTrue(BAD_READINGS.contains(q.<String>getAs("line")));
        assertTrue(q.<String>getAs("source").endsWith("readings-1.jsonl"), q.<String>getAs("source"));
      }
    }
    Map<String, Integer> expectedBad = new TreeMap<>();
    BAD_REASONS.forEach(r -> expectedBad.put(r, 1));
    assertEquals(expectedBad, badByReason, "each kind of bad record quarantined with its reason");

    // A replay of the last batch (at-least-once foreachBatch) is fenced by its batch id.
    MicroBatchAggregator aggregator =
        new MicroBatchAggregator(Pipeline.SILO_READINGS, store, io.siloreports.ingest.ValidationRules.DEFAULT, LATENESS, CLOCK);
    assertTrue(aggregator.process(Rows.lines(spark, lines), 3).skipped());
    assertAggregatesEqualOracle(store, counted);

    // A crash after the batch's data is written but before its commit leaves nothing visible...
    List<Oracle.Reading> batch5 = readings(rnd, 8, 9);
    ParquetAggregateStore crashing =
        new ParquetAggregateStore(spark, store.root(), () -> { throw new IllegalStateException("crash"); });
    MicroBatchAggregator crashy =
        new MicroBatchAggregator(Pipeline.SILO_READINGS, crashing, io.siloreports.ingest.ValidationRules.DEFAULT, LATENESS, CLOCK);
    assertThrows(IllegalStateException.class, () -> crashy.process(Rows.lines(spark, json(batch5)), 4));
    assertEquals(3, store.progress(Pipeline.SILO_READINGS).orElseThrow().batchId());
    assertAggregatesEqualOracle(store, counted);
    // ...and its replay with the same id counts it exactly once.
    MicroBatchAggregator.BatchResult replay = aggregator.process(Rows.lines(spark, json(batch5)), 4);
    assertFalse(replay.skipped());
    counted.addAll(batch5);
    assertAggregatesEqualOracle(store, counted);
  }

  @Test
  void activityEventsBucketCountsWithBadAndLateEvents() throws Exception {
    Random rnd = new Random(5);
    String[] types = {"items", "scoreResults", "tasks", "evaluations"};
    Path in = tmp.resolve("input/activity-events");
    ParquetAggregateStore store = new ParquetAggregateStore(spark, tmp.resolve("warehouse").toString());
    List<Oracle.Event> counted = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Oracle.Event e = new Oracle.Event(types[rnd.nextInt(4)], "acc-" + rnd.nextInt(3),
            DAY.plusMillis((long) ((2 * f + rnd.nextDouble() * 2) * 3600_000L)));
        counted.add(e);
        lines.add(e.json());
      }
      if (f == 1) {
        lines.add("{\"record_type\": \"widgets\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T03:00:00Z\"}");
        lines.add("{\"record_type\": \"items\", \"ts\": \"2026-11-20T03:00:00Z\"}");
      }
      if (f == 2) {
        lines.add(new Oracle.Event("items", "acc-0", DAY.plusSeconds(10)).json()); // hour 0 is finalized by then
      }
      InputFiles.write(in, "events-" + f + ".jsonl", lines);
    }
    job(store, "activity-events").runToEnd();

    AggregationProgress p = store.progress(Pipeline.ACTIVITY_EVENTS).orElseThrow();
    assertEquals(2, p.badTotal());
    assertEquals(1, p.lateTotal());
    assertEquals(counted.size(), p.validTotal());
    Map<Oracle.BucketKey, Long> got = new HashMap<>();
    for (Row r : store.aggregates(Pipeline.ACTIVITY_EVENTS, p).collectAsList()) {
      got.put(new Oracle.BucketKey(r.getString(0), r.getString(1), r.getInt(2), r.getTimestamp(3).toInstant()),
          r.getLong(4));
    }
    assertEquals(new TreeMap<>(Oracle.buckets(counted)), new TreeMap<>(got));
    List<String> reasons =
        store.quarantine(Pipeline.ACTIVITY_EVENTS).orderBy("reason").collectAsList().stream()
            .map(r -> r.<String>getAs("reason")).toList();
    assertEquals(3, reasons.size());
    assertTrue(reasons.get(0).startsWith("late: hour 2026-11-20T00:00Z"), reasons.toString());
    assertTrue(reasons.get(1).startsWith("missing field: account_id"), reasons.toString());
    assertTrue(reasons.get(2).startsWith("unknown record_type 'widgets'"), reasons.toString());
  }

  @Test
  void compactionKeepsTheAggregatesAndRemovesOldBatchDirectories() throws Exception {
    Random rnd = new Random(17);
    ParquetAggregateStore store =
        new ParquetAggregateStore(spark, tmp.resolve("compacting").toString(), 2, () -> {});
    MicroBatchAggregator aggregator = new MicroBatchAggregator(
        Pipeline.SILO_READINGS, store, io.siloreports.ingest.ValidationRules.DEFAULT, LATENESS, CLOCK);
    List<Oracle.Reading> counted = new ArrayList<>();
    for (int batch = 0; batch < 7; batch++) {
      List<Oracle.Reading> r = readings(rnd, batch, batch + 1);
      counted.addAll(r);
      aggregator.process(Rows.lines(spark, json(r)), batch);
      assertAggregatesEqualOracle(store, counted);
    }
    // compactions after batches 1, 3 and 5; the one after 5 removed the batches up to 3 (one generation late)
    java.util.Set<String> left = new java.util.TreeSet<>();
    try (var dirs = java.nio.file.Files.list(tmp.resolve("compacting/silo_hourly_aggregates"))) {
      dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith("batch_id=")).forEach(left::add);
    }
    assertEquals(java.util.Set.of("batch_id=4", "batch_id=5", "batch_id=6"), left);
    assertTrue(java.nio.file.Files.exists(tmp.resolve("compacting/compacted/silo_hourly_aggregates/upto=5")));
  }

  private void assertAggregatesEqualOracle(ParquetAggregateStore store, List<Oracle.Reading> counted) {
    AggregationProgress p = store.progress(Pipeline.SILO_READINGS).orElseThrow();
    Map<Oracle.HourKey, Row> got =
        io.siloreports.aggregate.HourlyAggregatesTestAccess.collect(
            HourlyAggregates.finish(store.aggregates(Pipeline.SILO_READINGS, p)));
    io.siloreports.aggregate.HourlyAggregatesTestAccess.assertSame(Oracle.hourly(counted), got);
  }

  private Map<Oracle.HourKey, Row> finalizedHours(ParquetAggregateStore store, Instant finalizedBefore) {
    Map<Oracle.HourKey, Row> all =
        io.siloreports.aggregate.HourlyAggregatesTestAccess.collect(
            HourlyAggregates.finish(
                store.aggregates(Pipeline.SILO_READINGS, store.progress(Pipeline.SILO_READINGS).orElseThrow())));
    Map<Oracle.HourKey, Row> out = new TreeMap<>();
    all.forEach((k, v) -> {
      if (k.hour().isBefore(finalizedBefore)) {
        out.put(k, v);
      }
    });
    return out;
  }
}
