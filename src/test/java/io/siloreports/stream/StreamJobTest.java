package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.store.ParquetProgressStore;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestRules;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job on the embedded default (file source, Parquet aggregates), checked against a plain-Java
 * oracle over the raw input. One stream's life over a shared fixture, a behaviour per test in order: batches and
 * progress, bad records, a restart with late readings, a replay Spark makes itself from a real checkpoint, a
 * crash between data and commit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamJobTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final ProgressRule.Lateness LATENESS = TestRules.LATENESS;
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
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
  private final Random rnd = new Random(11);
  @TempDir static Path dir;
  private Map<String, String> profile;
  private Path in;
  /** Every valid reading the stream should have counted so far. */
  private final List<Oracle.Reading> counted = new ArrayList<>();
  private final List<Oracle.Reading> late = List.of(
      new Oracle.Reading(1, DAY.plus(Duration.ofMinutes(61)), new BigDecimal("5000.00")),
      new Oracle.Reading(3, DAY.plus(Duration.ofMinutes(119)), new BigDecimal("-1.00")));
  private Instant firstFinalizedBefore;
  private Map<Oracle.HourKey, Row> finalHoursAfterFirstRun;

  /** Three files (hours 0-1, 2-3, 4-5), bad records in the second, streamed one micro-batch per file. */
  @BeforeAll
  void firstRun() throws Exception {
    profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    in = dir.resolve("input/silo-readings");
    for (int f = 0; f < 3; f++) {
      List<Oracle.Reading> r = readings(2 * f, 2 * f + 2);
      counted.addAll(r);
      List<String> lines = new ArrayList<>(TestData.json(r));
      if (f == 1) {
        lines.addAll(5, BAD_READINGS);
      }
      InputFiles.write(in, "readings-" + f + ".jsonl", lines);
    }
    stream();
    Instant maxTs = counted.stream().map(Oracle.Reading::ts).max(Instant::compareTo).orElseThrow();
    firstFinalizedBefore = maxTs.minus(LATENESS.allowedLateness()).truncatedTo(ChronoUnit.HOURS);
    finalHoursAfterFirstRun = finalHours();
  }

  private List<Oracle.Reading> readings(int fromHour, int toHour) {
    return TestData.readings(rnd).silos(4).hours(DAY, fromHour, toHour).every(150, 209).values(2, 20_000, -5_000)
        .bySilo().build();
  }

  private void stream() throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
  }

  private Wiring.Stores stores() {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark);
  }

  private AggregationProgress progress() {
    return stores().progress().last(Pipeline.SILO_READINGS).orElseThrow();
  }

  private MicroBatchAggregator aggregator(Wiring.Stores stores) {
    return new MicroBatchAggregator(Pipeline.SILO_READINGS, stores.aggregates(), stores.progress(),
        StreamConfig.from(Settings.of(profile)).rules(), LATENESS, CLOCK);
  }

  @Test
  @Order(1)
  void oneMicroBatchPerFileAndFinalizedBeforeFollowsTheLargestEventTime() {
    AggregationProgress p = progress();
    assertEquals(2, p.batchId(), "one micro-batch per file");
    assertEquals(firstFinalizedBefore, p.finalizedBefore());
    assertEquals(counted.size(), p.validTotal());
    assertEquals(BAD_READINGS.size(), p.badTotal());
    assertEquals(0, p.lateTotal());
  }

  @Test
  @Order(2)
  void aggregatesEqualThePlainJavaComputation() {
    assertAggregatesEqualOracle();
  }

  @Test
  @Order(3)
  void eachBadRecordIsQuarantinedWithItsReasonAndItsFile() {
    List<Row> quarantine = stores().aggregates().quarantine(Pipeline.SILO_READINGS).collectAsList();
    Map<String, Integer> badByReason = new TreeMap<>();
    for (Row q : quarantine) {
      assertEquals("bad", q.getAs("kind"));
      String reason = q.getAs("reason");
      badByReason.merge(BAD_REASONS.stream().filter(reason::startsWith).findFirst().orElse(reason), 1, Integer::sum);
      assertTrue(BAD_READINGS.contains(q.<String>getAs("line")), "the raw line is kept");
      assertTrue(q.<String>getAs("source").endsWith("readings-1.jsonl"), q.<String>getAs("source"));
    }
    Map<String, Integer> expected = new TreeMap<>();
    BAD_REASONS.forEach(r -> expected.put(r, 1));
    assertEquals(expected, badByReason);
  }

  @Test
  @Order(4)
  void aRestartContinuesFromTheCheckpointAndMergesLateReadingsIntoTheirHours() throws Exception {
    List<Oracle.Reading> fresh = new ArrayList<>(readings(6, 8));
    // a reading in the open hour just at finalized_before is not late
    fresh.add(new Oracle.Reading(2, firstFinalizedBefore, new BigDecimal("1.25")));
    // more than the max revision age (7 days) before the latest event: too late, kept aside
    Oracle.Reading tooLate = new Oracle.Reading(2, DAY.minus(Duration.ofDays(8)), new BigDecimal("7.00"));
    counted.addAll(fresh);
    counted.addAll(late);
    InputFiles.write(in, "readings-3.jsonl",
        TestData.concat(TestData.json(fresh), TestData.json(late), TestData.json(List.of(tooLate))));
    stream();

    AggregationProgress p = progress();
    assertEquals(3, p.batchId(), "one new batch, nothing reprocessed");
    assertEquals(late.size(), p.lateTotal());
    assertEquals(1, p.tooLateTotal());
    assertEquals(counted.size(), p.validTotal(), "late readings are counted like the others");
    assertAggregatesEqualOracle();

    Map<Oracle.HourKey, Row> finalHours = finalHours();
    for (Map.Entry<Oracle.HourKey, Row> e : finalHours.entrySet()) {
      boolean revised = late.stream().anyMatch(r -> r.siloId() == e.getKey().siloId()
          && r.ts().truncatedTo(ChronoUnit.HOURS).equals(e.getKey().hour()));
      Row row = e.getValue();
      assertEquals(revised ? 1L : 0L, row.<Long>getAs("late_count"), e.getKey().toString());
      if (revised) {
        assertEquals(CLOCK.instant(), row.<java.sql.Timestamp>getAs("revised_at").toInstant(), e.getKey().toString());
        assertTrue(finalHoursAfterFirstRun.get(e.getKey()).<Long>getAs("record_count") + 1
            == row.<Long>getAs("record_count"), "the late reading joined its hour " + e.getKey());
      } else {
        assertEquals(finalHoursAfterFirstRun.get(e.getKey()), row, "an hour without late readings is unchanged");
      }
    }
    List<Row> kept = stores().aggregates().quarantine(Pipeline.SILO_READINGS).filter("kind <> 'bad'").collectAsList();
    assertEquals(1, kept.size(), "only the too-late reading is kept beside the bad ones");
    assertEquals("too_late", kept.get(0).getAs("kind"));
    assertTrue(kept.get(0).<String>getAs("reason").startsWith("too late: hour 2026-11-12T00:00Z: hours before"
        + " 2026-11-13T"), kept.get(0).<String>getAs("reason"));
    assertEquals(TestData.json(List.of(tooLate)).get(0), kept.get(0).getAs("line"));
  }

  @Test
  @Order(5)
  void aBatchIdAlreadyCommittedIsSkipped() {
    assertTrue(aggregator(stores()).process(Rows.lines(spark, TestData.json(readings(6, 8))), 3).skipped());
    assertAggregatesEqualOracle();
  }

  /** Iceberg-style: Spark itself replays a batch whose commit it lost, from a real checkpoint. */
  @Test
  @Order(6)
  void sparkReplaysABatchWhoseCheckpointCommitIsDeletedAndNothingIsCountedTwice() throws Exception {
    List<Oracle.Reading> r4 = readings(8, 9);
    counted.addAll(r4);
    InputFiles.write(in, "readings-4.jsonl", TestData.json(r4));
    stream();
    assertEquals(4, progress().batchId());

    deleteCheckpointCommit(4);
    stream(); // Spark re-runs batch 4 with the same files; the store has it already
    assertTrue(Files.exists(dir.resolve("checkpoints/silo-readings/commits/4")), "Spark ran batch 4 again");
    assertEquals(4, progress().batchId());
    assertEquals(counted.size(), progress().validTotal(), "the replay added nothing");
    assertAggregatesEqualOracle();
  }

  /** The other side of the same crash: Spark had planned batch 5, the store never committed it. */
  @Test
  @Order(7)
  void aBatchTheStoreNeverCommittedIsCountedOnceWhenSparkReplaysIt() throws Exception {
    List<Oracle.Reading> r5 = readings(9, 10);
    counted.addAll(r5);
    InputFiles.write(in, "readings-5.jsonl", TestData.json(r5));
    stream();
    assertEquals(5, progress().batchId());
    deleteCheckpointCommit(5);
    Path progressFile = dir.resolve("warehouse/aggregation_progress/silo-readings/" + String.format("batch-%020d.json", 5));
    Files.delete(progressFile); // batch 5's data stays on disk, invisible without its commit
    assertEquals(4, progress().batchId());

    stream();
    assertEquals(5, progress().batchId());
    assertEquals(counted.size(), progress().validTotal());
    assertAggregatesEqualOracle();
  }

  @Test
  @Order(8)
  void aCrashBetweenDataAndCommitLeavesNothingVisibleAndTheReplayCountsOnce() {
    List<Oracle.Reading> r6 = readings(10, 11);
    Wiring.Stores stores = stores();
    String root = dir.resolve("warehouse").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), root);
    ParquetAggregateStore crashing = new ParquetAggregateStore(spark, root, progress, 100,
        () -> { throw new IllegalStateException("crash"); });
    MicroBatchAggregator crashy = new MicroBatchAggregator(Pipeline.SILO_READINGS, crashing, progress,
        StreamConfig.from(Settings.of(profile)).rules(), LATENESS, CLOCK);
    assertThrows(IllegalStateException.class, () -> crashy.process(Rows.lines(spark, TestData.json(r6)), 6));
    assertEquals(5, progress().batchId());
    assertAggregatesEqualOracle();

    MicroBatchAggregator.BatchResult replay = aggregator(stores).process(Rows.lines(spark, TestData.json(r6)), 6);
    assertFalse(replay.skipped());
    counted.addAll(r6);
    assertAggregatesEqualOracle();
  }

  /** A fresh checkpoint over a store that committed batches would skip them as replays: it stops, saying why. */
  @Test
  @Order(9)
  void aCheckpointBehindTheStoreStopsTheStreamWithTheReason() throws Exception {
    Map<Oracle.HourKey, Row> before = HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(stores().aggregates().aggregates(Pipeline.SILO_READINGS, progress())));
    Map<String, String> moved = new java.util.LinkedHashMap<>(profile);
    moved.put("checkpoint.dir", dir.resolve("another-checkpoint").toString());
    Exception e = assertThrows(Exception.class,
        () -> Wiring.stream(StreamConfig.from(Settings.of(moved)), spark, CLOCK).run());
    String chain = e.toString() + (e.getCause() == null ? "" : " / " + e.getCause());
    assertTrue(chain.contains("Spark's checkpoint is at batch 0 but the aggregates already committed batch 6"), chain);
    assertEquals(6, progress().batchId());
    assertEquals(before, HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(stores().aggregates().aggregates(Pipeline.SILO_READINGS, progress()))));
  }

  /** What a crash between Spark's sink call and its checkpoint commit leaves: offsets/N without commits/N. */
  private static void deleteCheckpointCommit(long batchId) throws Exception {
    Path commit = dir.resolve("checkpoints/silo-readings/commits/" + batchId);
    assertTrue(Files.exists(commit), "the checkpoint committed batch " + batchId);
    Files.delete(commit);
    Files.deleteIfExists(commit.resolveSibling("." + batchId + ".crc"));
  }

  private void assertAggregatesEqualOracle() {
    Map<Oracle.HourKey, Row> got = HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(stores().aggregates().aggregates(Pipeline.SILO_READINGS, progress())));
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(counted), got);
  }

  private Map<Oracle.HourKey, Row> finalHours() {
    Map<Oracle.HourKey, Row> out = new TreeMap<>();
    HourlyAggregatesTestAccess.collect(
            HourlyAggregates.finish(stores().aggregates().aggregates(Pipeline.SILO_READINGS, progress())))
        .forEach((k, v) -> {
          if (k.hour().isBefore(firstFinalizedBefore)) {
            out.put(k, v);
          }
        });
    return out;
  }
}
