package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog on the embedded default admitted by {@code source.max-bytes-per-batch}: 16 daily files, each also carrying
 * readings 1-12 days late, streamed from empty in batches of four files, and the same files one per batch
 * ({@code source.file.maxFilesPerTrigger=1}, the old default). Each run's late and too-late counts and aggregates are
 * checked against a plain-Java walk of the progress rule over that run's batches (a reading is judged against what the
 * batches before its own committed), so admitting more per batch never turns a merged reading into a too-late one.
 * Then a crash in the middle of a big batch: Spark replays it from its checkpoint with the same files, once, even
 * though a bigger file has arrived meanwhile and the file cap derived at the restart is smaller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatchUpTest {
  private static final Instant DAY0 = Instant.parse("2026-10-01T00:00:00Z");
  private static final int FILES = 16;
  private static final int FILES_PER_BATCH = 4;
  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(30);
  private static final Duration MAX_REVISION_AGE = Duration.ofDays(7);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-10-25T00:00:00Z"), ZoneOffset.UTC);

  private final SparkSession spark = LocalSpark.get();
  @TempDir static Path dir;
  /** The readings of each daily file, in arrival order. */
  private final List<List<Oracle.Reading>> files = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private long largestFile;
  private long inOrderTooLate;
  private Simulated batched;

  @BeforeAll
  void writeTheBacklog() throws Exception {
    Random rnd = new Random(25);
    for (int d = 0; d < FILES; d++) {
      List<Oracle.Reading> r = new ArrayList<>(TestData.readings(rnd).silos(2)
          .hours(DAY0.plus(Duration.ofDays(d)), 0, 24).every(1500, 2100).values(2, 20_000, -5_000).build());
      for (int i = 0; d > 0 && i < 4; i++) { // a few readings of an earlier day, up to 12 days late
        int back = 1 + rnd.nextInt(Math.min(d, 12));
        r.add(new Oracle.Reading(1 + rnd.nextInt(2),
            DAY0.plus(Duration.ofDays(d - back)).plusSeconds(rnd.nextInt(86_400)),
            BigDecimal.valueOf(rnd.nextInt(100_000) - 20_000, 2)));
      }
      files.add(r);
      names.add(String.format("day-%02d.jsonl", d));
    }
    for (String copy : List.of("batched", "in-order")) {
      Path in = dir.resolve(copy + "/input/silo-readings");
      for (int d = 0; d < FILES; d++) {
        largestFile = Math.max(largestFile, Files.size(InputFiles.write(in, names.get(d), TestData.json(files.get(d)))));
      }
    }
  }

  @Test
  @Order(1)
  void aByteBudgetAdmitsTheBacklogInFewBatchesEqualToThePlainJavaComputation() throws Exception {
    Map<String, String> profile = batchedProfile();
    stream(profile);

    AggregationProgress p = progress(profile);
    assertEquals(FILES / FILES_PER_BATCH - 1, p.batchId(), "16 files in batches of 4: batches 0-3");
    batched = simulate(inBatchesOf(FILES_PER_BATCH, files));
    assertTrue(batched.tooLate > 0 && batched.late > 0, "the fixture has late and too-late readings");
    assertEquals(batched.late, p.lateTotal(), "late readings: merged into hours final before their batch");
    assertEquals(batched.tooLate, p.tooLateTotal(), "too late: hours closed before their batch");
    assertEquals(batched.merged.size(), p.validTotal());
    assertAggregatesEqual(batched.merged, profile);
  }

  @Test
  @Order(2)
  void oneFilePerBatchStillWorksAndJudgesLatenessByTheSameRule() throws Exception {
    Map<String, String> profile = Profiles.embedded(dir.resolve("in-order"));
    profile.put("stream.pipelines", "silo-readings");
    stream(profile); // source.file.maxFilesPerTrigger=1 wins over the byte budget's default

    AggregationProgress p = progress(profile);
    assertEquals(FILES - 1, p.batchId());
    Simulated inOrder = simulate(inBatchesOf(1, files));
    assertEquals(inOrder.late, p.lateTotal());
    assertEquals(inOrder.tooLate, p.tooLateTotal());
    assertAggregatesEqual(inOrder.merged, profile);
    inOrderTooLate = p.tooLateTotal();
    assertTrue(inOrderTooLate > batched.tooLate, "batches of four judged fewer readings too late ("
        + batched.tooLate + ") than one file per batch (" + inOrderTooLate + "): never more");
  }

  /** Spark planned batch 3 (offsets/3 names its four files) and crashed before either commit. */
  @Test
  @Order(3)
  void aBigBatchReplayedAfterACrashReadsTheSameFilesAndCountsOnce() throws Exception {
    Map<String, String> profile = batchedProfile();
    Path checkpoint = dir.resolve("batched/checkpoints/silo-readings");
    Path progressFile = dir.resolve("batched/warehouse/aggregation_progress/silo-readings/"
        + String.format("batch-%020d.json", 3));
    byte[] committedBatch3 = Files.readAllBytes(progressFile);
    Files.delete(checkpoint.resolve("commits/3"));
    Files.deleteIfExists(checkpoint.resolve("commits/.3.crc"));
    Files.delete(progressFile); // batch 3's data files stay, invisible without their commit
    assertEquals(2, progress(profile).batchId());

    // Meanwhile a file three times the largest arrives: the cap derived at the restart is one file per batch.
    List<Oracle.Reading> fresh = TestData.readings(new Random(7)).silos(6)
        .hours(DAY0.plus(Duration.ofDays(FILES)), 0, 24).every(300, 420).values(2, 20_000, -5_000).build();
    long freshSize = Files.size(InputFiles.write(dir.resolve("batched/input/silo-readings"), "day-16.jsonl",
        TestData.json(fresh)));
    assertTrue(freshSize > 2 * largestFile, "the new file is the largest: " + freshSize + " vs " + largestFile);
    stream(profile);

    assertTrue(Files.exists(checkpoint.resolve("commits/3")), "Spark ran batch 3 again");
    assertArrayEquals(committedBatch3, Files.readAllBytes(progressFile),
        "the replayed batch 3 committed the same progress: the same four files, counted once");
    AggregationProgress p = progress(profile);
    assertEquals(4, p.batchId(), "the new file in a batch of its own");
    List<Oracle.Reading> all = new ArrayList<>(batched.merged);
    all.addAll(fresh);
    assertEquals(all.size(), p.validTotal());
    assertEquals(batched.tooLate, p.tooLateTotal());
    assertAggregatesEqual(all, profile);
  }

  private Map<String, String> batchedProfile() {
    Map<String, String> profile = Profiles.embedded(dir.resolve("batched"));
    profile.put("stream.pipelines", "silo-readings");
    profile.remove("source.file.maxFilesPerTrigger");
    // Four of the largest file fit, five do not.
    profile.put("source.max-bytes-per-batch", Long.toString(FILES_PER_BATCH * largestFile + largestFile / 2));
    return profile;
  }

  private void stream(Map<String, String> profile) throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
  }

  private AggregationProgress progress(Map<String, String> profile) {
    return stores(profile).progress().last(Pipeline.SILO_READINGS).orElseThrow();
  }

  private Wiring.Stores stores(Map<String, String> profile) {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark);
  }

  private void assertAggregatesEqual(List<Oracle.Reading> merged, Map<String, String> profile) {
    Wiring.Stores stores = stores(profile);
    AggregationProgress p = stores.progress().last(Pipeline.SILO_READINGS).orElseThrow();
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(merged), HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(stores.aggregates().aggregates(Pipeline.SILO_READINGS, p))));
  }

  private static List<List<Oracle.Reading>> inBatchesOf(int n, List<List<Oracle.Reading>> files) {
    List<List<Oracle.Reading>> batches = new ArrayList<>();
    for (int i = 0; i < files.size(); i += n) {
      List<Oracle.Reading> batch = new ArrayList<>();
      files.subList(i, Math.min(files.size(), i + n)).forEach(batch::addAll);
      batches.add(batch);
    }
    return batches;
  }

  /** What the batches do under the progress rule, walked by hand. */
  private record Simulated(List<Oracle.Reading> merged, long late, long tooLate) {}

  private static Simulated simulate(List<List<Oracle.Reading>> batches) {
    List<Oracle.Reading> merged = new ArrayList<>();
    long late = 0;
    long tooLate = 0;
    Instant maxEvent = null; // the largest event time merged by the batches committed so far
    for (List<Oracle.Reading> batch : batches) {
      Instant finalBefore = maxEvent == null ? null : maxEvent.minus(ALLOWED_LATENESS).truncatedTo(ChronoUnit.HOURS);
      Instant closedBefore = maxEvent == null ? null : maxEvent.minus(MAX_REVISION_AGE).truncatedTo(ChronoUnit.HOURS);
      Instant batchMax = maxEvent;
      for (Oracle.Reading r : batch) {
        Instant hour = r.ts().truncatedTo(ChronoUnit.HOURS);
        if (closedBefore != null && hour.isBefore(closedBefore)) {
          tooLate++;
          continue;
        }
        merged.add(r);
        if (finalBefore != null && hour.isBefore(finalBefore)) {
          late++;
        }
        batchMax = batchMax == null || r.ts().isAfter(batchMax) ? r.ts() : batchMax;
      }
      maxEvent = batchMax;
    }
    return new Simulated(merged, late, tooLate);
  }
}
