package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark-free reader of the Parquet layout (what the HTTP service uses) against the oracle, over compacted and
 * uncompacted batches written by the real stream.
 */
class ParquetStoreQueriesTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  @TempDir Path dir;

  @Test
  void bucketsAndSilosEqualTheOracleAcrossCompactedAndNewBatches() throws Exception {
    Map<String, String> m = Profiles.embedded(dir);
    m.put("sink.parquet.compact-every", "2");
    Random rnd = new Random(44);
    List<Oracle.Event> events = new ArrayList<>();
    List<Oracle.Reading> readings = new ArrayList<>();
    for (int f = 0; f < 5; f++) {
      List<Oracle.Event> e = TestData.events(rnd).perHour(40).accounts(2).hours(DAY, 2 * f, 2 * f + 2).build();
      List<Oracle.Reading> r = TestData.readings(rnd).silos(2 + f % 3).hours(DAY, 2 * f, 2 * f + 2).build();
      events.addAll(e);
      readings.addAll(r);
      InputFiles.write(dir.resolve("input/activity-events"), "e-" + f + ".jsonl", TestData.eventJson(e));
      InputFiles.write(dir.resolve("input/silo-readings"), "r-" + f + ".jsonl", TestData.json(r));
    }
    Wiring.stream(StreamConfig.from(Settings.of(m)), LocalSpark.get(), Clock.systemUTC()).run();

    String root = dir.resolve("warehouse").toString();
    Configuration hadoop = new Configuration();
    StoreQueries q = new ParquetStoreQueries(hadoop, root, new ParquetProgressStore(hadoop, root));
    assertEquals(List.of(1, 2, 3, 4), q.silos());
    for (int minutes : new int[] {1, 60}) {
      Instant from = DAY.plus(Duration.ofHours(1));
      Instant to = DAY.plus(Duration.ofHours(9));
      Map<Oracle.BucketKey, Long> got = new TreeMap<>();
      for (StoreQueries.BucketCount c : q.buckets("tasks", "acc-1", minutes, from, to, 100_000)) {
        got.put(new Oracle.BucketKey(c.recordType(), c.accountId(), c.minutes(), c.start()), c.count());
      }
      Map<Oracle.BucketKey, Long> want = new TreeMap<>();
      Oracle.buckets(events).forEach((k, v) -> {
        if (k.recordType().equals("tasks") && k.accountId().equals("acc-1") && k.minutes() == minutes
            && !k.start().isBefore(from) && k.start().isBefore(to)) {
          want.put(k, v);
        }
      });
      assertEquals(want, got, minutes + "-minute buckets");
    }
    assertEquals(3, q.buckets("items", null, 60, DAY, DAY.plus(Duration.ofDays(1)), 3).size(), "the limit holds");
    assertEquals(new TreeSet<>(List.of("acc-0", "acc-1")), new TreeSet<>(
        q.buckets("items", null, 60, DAY, DAY.plus(Duration.ofDays(1)), 1000).stream()
            .map(StoreQueries.BucketCount::accountId).toList()));
  }
}
