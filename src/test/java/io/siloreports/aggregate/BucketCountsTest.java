package io.siloreports.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
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

class BucketCountsTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private static final String[] TYPES = {"items", "scoreResults", "tasks", "evaluations"};
  private final SparkSession spark = LocalSpark.get();

  @Test
  void everyBucketSizeMatchesTheOracleAndTheSizesCrossCheck() {
    Random rnd = new Random(3);
    List<Oracle.Event> events = new ArrayList<>();
    for (int i = 0; i < 4000; i++) {
      events.add(new Oracle.Event(TYPES[rnd.nextInt(4)], "acc-" + rnd.nextInt(3),
          T0.plusMillis((long) (rnd.nextDouble() * 5 * 3600_000L))));
    }
    // boundaries: exactly on 1/5/15/60-minute edges, and the last millisecond before one
    events.add(new Oracle.Event("items", "acc-0", Instant.parse("2026-11-20T11:00:00Z")));
    events.add(new Oracle.Event("items", "acc-0", Instant.parse("2026-11-20T11:15:00Z")));
    events.add(new Oracle.Event("items", "acc-0", Instant.parse("2026-11-20T11:14:59.999Z")));
    events.add(new Oracle.Event("tasks", "acc-9", Instant.parse("2026-11-20T12:05:00Z")));

    Map<Oracle.BucketKey, Long> got = new TreeMap<>();
    for (Row r : BucketCounts.partials(Rows.events(spark, events)).collectAsList()) {
      got.put(new Oracle.BucketKey(r.getString(0), r.getString(1), r.getInt(2), r.getTimestamp(3).toInstant()),
          r.getLong(4));
    }
    assertEquals(Oracle.buckets(events), got);

    // Cross-check per closed hour: the 1-minute buckets sum to the 60-minute bucket and to the raw count.
    Map<String, Long> raw = new HashMap<>();
    for (Oracle.Event e : events) {
      raw.merge(hourKey(e.recordType(), e.accountId(), e.ts().truncatedTo(ChronoUnit.HOURS)), 1L, Long::sum);
    }
    Map<String, Long> oneMinute = new HashMap<>();
    Map<String, Long> sixty = new HashMap<>();
    got.forEach((k, n) -> {
      String hk = hourKey(k.recordType(), k.accountId(), k.start().truncatedTo(ChronoUnit.HOURS));
      if (k.minutes() == 1) {
        oneMinute.merge(hk, n, Long::sum);
      } else if (k.minutes() == 60) {
        sixty.merge(hk, n, Long::sum);
      }
    });
    assertEquals(raw, oneMinute);
    assertEquals(raw, sixty);
  }

  @Test
  void mergeAddsCounts() {
    List<Oracle.Event> a = List.of(new Oracle.Event("items", "x", T0), new Oracle.Event("items", "x", T0.plusSeconds(30)));
    List<Oracle.Event> b = List.of(new Oracle.Event("items", "x", T0.plusSeconds(59)));
    List<Row> merged =
        BucketCounts.merge(BucketCounts.partials(Rows.events(spark, a)).union(BucketCounts.partials(Rows.events(spark, b))))
            .filter("bucket_minutes = 1").collectAsList();
    assertEquals(1, merged.size());
    assertEquals(3L, merged.get(0).getLong(4));
  }

  private static String hourKey(String type, String account, Instant hour) {
    return type + "|" + account + "|" + hour;
  }
}
