package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * The activity-events pipeline on the embedded default: bucket counts equal the oracle, a late event is merged into
 * its buckets and counted as late, bad events are quarantined.
 */
class ActivityEventsStreamTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path dir;

  @Test
  void bucketCountsEqualTheOracleLateEventsIncludedAndBadEventsQuarantined() throws Exception {
    Random rnd = new Random(5);
    Map<String, String> profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "activity-events");
    Path in = dir.resolve("input/activity-events");
    List<Oracle.Event> counted = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      List<Oracle.Event> events = TestData.events(rnd).perHour(150).hours(DAY, 2 * f, 2 * f + 2).build();
      counted.addAll(events);
      List<String> lines = new ArrayList<>(TestData.eventJson(events));
      if (f == 1) {
        lines.add("{\"record_type\": \"widgets\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T03:00:00Z\"}");
        lines.add("{\"record_type\": \"items\", \"ts\": \"2026-11-20T03:00:00Z\"}");
      }
      if (f == 2) {
        Oracle.Event late = new Oracle.Event("items", "acc-0", DAY.plusSeconds(10)); // hour 0 is final by then
        lines.add(late.json());
        counted.add(late);
      }
      InputFiles.write(in, "events-" + f + ".jsonl", lines);
    }
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();

    Wiring.Stores stores = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark);
    AggregationProgress p = stores.progress().last(Pipeline.ACTIVITY_EVENTS).orElseThrow();
    assertEquals(2, p.badTotal());
    assertEquals(1, p.lateTotal());
    assertEquals(counted.size(), p.validTotal());
    Map<Oracle.BucketKey, Long> got = new HashMap<>();
    long lateInBuckets = 0;
    for (Row r : stores.aggregates().aggregates(Pipeline.ACTIVITY_EVENTS, p).collectAsList()) {
      got.put(new Oracle.BucketKey(r.getString(0), r.getString(1), r.getInt(2), r.getTimestamp(3).toInstant()),
          r.getLong(4));
      lateInBuckets += r.getLong(5);
      assertEquals(r.getLong(5) > 0, !r.isNullAt(6), "revised_at is set exactly where late events are: " + r);
    }
    assertEquals(new TreeMap<>(Oracle.buckets(counted)), new TreeMap<>(got));
    assertEquals(4, lateInBuckets, "the late event counted as late in its 1, 5, 15 and 60-minute buckets");
    List<String> reasons = stores.aggregates().quarantine(Pipeline.ACTIVITY_EVENTS).orderBy("reason").collectAsList()
        .stream().map(r -> r.<String>getAs("reason")).toList();
    assertEquals(2, reasons.size());
    assertTrue(reasons.get(0).startsWith("missing field: account_id"), reasons.toString());
    assertTrue(reasons.get(1).startsWith("unknown record_type 'widgets'"), reasons.toString());

    // The buckets command reads the same counts back, cross-checked over whole hours.
    String[] run = buckets(DAY, profile);
    int code = Integer.parseInt(run[0]);
    String printed = run[1];
    long items = counted.stream().filter(e -> e.recordType().equals("items")).count();
    assertEquals(0, code, printed);
    assertTrue(printed.contains(String.format(java.util.Locale.ROOT, "Cross-check: %,d records in every bucket size ✓",
        items)), printed);
    long sixtyMinuteBuckets = Oracle.buckets(counted).keySet().stream()
        .filter(k -> k.recordType().equals("items") && k.minutes() == 60).count();
    assertTrue(printed.contains(String.format(java.util.Locale.ROOT, "   60min: %6d buckets, %,10d records",
        sixtyMinuteBuckets, items)), printed);
    // Over a range starting before the 1-minute buckets' cut-off (closed_before), the sizes may differ: no cross-check.
    String[] old = buckets(DAY.minus(java.time.Duration.ofDays(30)), profile);
    assertEquals("0", old[0], old[1]);
    assertTrue(old[1].contains("Cross-check skipped: retention (retention.buckets.*) may have removed the oldest [1, 5]-minute"
        + " buckets of this range"), old[1]);
  }

  /** {@code buckets --record-type items} from {@code from} to 6 hours after DAY: its exit code and what it printed. */
  private static String[] buckets(Instant from, Map<String, String> profile) {
    List<String> args = new ArrayList<>(List.of("buckets", "--record-type", "items", "--from", from.toString(),
        "--to", DAY.plusSeconds(6 * 3600).toString()));
    profile.forEach((k, v) -> args.addAll(List.of("--conf", k + "=" + v)));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    int code;
    try {
      System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
      code = io.siloreports.cli.Main.run(args.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
    }
    return new String[] {Integer.toString(code), out.toString(java.nio.charset.StandardCharsets.UTF_8)};
  }
}
