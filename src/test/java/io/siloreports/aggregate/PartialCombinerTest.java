package io.siloreports.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.Oracle;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/**
 * The stream's map-side combine: records split over partitions, combined in each, merged on the driver, equal a
 * plain loop over all records (the test oracle), in the store's key order.
 */
class PartialCombinerTest {
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void readingsCombinedPerPartitionAndMergedEqualOnePlainLoop() throws Exception {
    for (boolean serialized : new boolean[] {false, true}) {
      readingsCombinedPerPartitionAndMerged(serialized);
    }
  }

  /**
   * {@code serialized}: the partitions' combiners go to the driver serialized and are merged whole (the stream's way),
   * else as partial rows.
   */
  private static void readingsCombinedPerPartitionAndMerged(boolean serialized) throws Exception {
    Random rnd = new Random(7);
    List<Oracle.Reading> readings = new ArrayList<>();
    int[] silos = {0, 1, 2, 17, 65_536, Integer.MAX_VALUE};
    for (int i = 0; i < 20_000; i++) {
      // hours on both sides of 1970 (the packed key keeps the hour signed) and within one hour's edges
      long seconds = rnd.nextInt(3) == 0 ? -rnd.nextInt(200_000) : 1_790_000_000L + rnd.nextInt(200_000);
      BigDecimal value = BigDecimal.valueOf(rnd.nextLong() % 10_000_000_000_000L, 10).multiply(BigDecimal.TEN)
          .setScale(10);
      readings.add(new Oracle.Reading(silos[rnd.nextInt(silos.length)], Instant.ofEpochSecond(seconds), value));
    }
    PartialCombiner driver = HourlyAggregates.AGGREGATION.newCombiner();
    Map<Oracle.HourKey, Long> lateOracle = new TreeMap<>();
    for (List<Oracle.Reading> part : split(readings, 3, rnd)) {
      PartialCombiner partition = HourlyAggregates.AGGREGATION.newCombiner();
      for (Oracle.Reading r : part) {
        boolean late = r.siloId() == 17;
        add(partition, r, late);
        if (late) {
          lateOracle.merge(new Oracle.HourKey(r.siloId(), r.ts().truncatedTo(java.time.temporal.ChronoUnit.HOURS)),
              1L, Long::sum);
        }
      }
      if (serialized) {
        driver.mergeAll(roundTrip(partition));
      } else {
        partition.rows(AT).forEach(driver::merge);
      }
    }
    List<Row> rows = driver.rows(serialized ? AT : null);
    TreeMap<Oracle.HourKey, Oracle.Hour> oracle = Oracle.hourly(readings);
    assertEquals(oracle.size(), rows.size());
    int i = 0;
    for (Map.Entry<Oracle.HourKey, Oracle.Hour> e : oracle.entrySet()) {
      Row r = rows.get(i++);
      String at = "row " + i + " " + e.getKey();
      assertEquals(e.getKey().siloId(), r.getInt(0), at);
      assertEquals(e.getKey().hour(), r.getTimestamp(1).toInstant(), at);
      assertEquals(0, e.getValue().sum.compareTo(r.getDecimal(2)), at);
      assertEquals(e.getValue().min, r.getDecimal(3), at);
      assertEquals(e.getValue().max, r.getDecimal(4), at);
      assertEquals(e.getValue().count, r.getLong(5), at);
      long late = lateOracle.getOrDefault(e.getKey(), 0L);
      assertEquals(late, r.getLong(6), at);
      if (late > 0) {
        assertEquals(Timestamp.from(AT), r.getTimestamp(7), at);
      } else {
        assertNull(r.get(7), at);
      }
    }
  }

  /**
   * The hourly cells keep unscaled longs while they can: sums beyond a long, values near a long's limit and values
   * of another scale than the parser's must give the exact values all the same, merged as rows or serialized.
   */
  @Test
  void sumsBeyondALongAndOtherScalesStayExact() throws Exception {
    Random rnd = new Random(3);
    Instant hour = Instant.parse("2026-11-30T10:00:00Z");
    List<Oracle.Reading> readings = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      int silo = rnd.nextInt(4);
      BigDecimal value = switch (silo) {
        case 0 -> new BigDecimal("900000000.0000000000").subtract(BigDecimal.valueOf(rnd.nextInt(1000), 10));
        case 1 -> new BigDecimal("-900000000.0000000000").add(BigDecimal.valueOf(rnd.nextInt(1000), 10));
        case 2 -> i % 7 == 0 ? BigDecimal.valueOf(rnd.nextInt(10_000), 2) : BigDecimal.valueOf(rnd.nextInt(), 10);
        default -> BigDecimal.valueOf(rnd.nextLong(), 10); // unscaled anywhere in a long, sums overflow at once
      };
      readings.add(new Oracle.Reading(silo, hour.plusSeconds(rnd.nextInt(3600)), value));
    }
    for (boolean serialized : new boolean[] {false, true}) {
      PartialCombiner driver = HourlyAggregates.AGGREGATION.newCombiner();
      for (List<Oracle.Reading> part : split(readings, 3, rnd)) {
        PartialCombiner partition = HourlyAggregates.AGGREGATION.newCombiner();
        part.forEach(r -> add(partition, r, false));
        if (serialized) {
          driver.mergeAll(roundTrip(partition));
        } else {
          partition.rows(AT).forEach(driver::merge);
        }
      }
      List<Row> rows = driver.rows(null);
      TreeMap<Oracle.HourKey, Oracle.Hour> oracle = Oracle.hourly(readings);
      assertEquals(4, rows.size());
      int i = 0;
      for (Oracle.Hour h : oracle.values()) {
        Row r = rows.get(i++);
        String at = "silo " + r.getInt(0) + (serialized ? ", serialized" : ", as rows");
        assertEquals(0, h.sum.compareTo(r.getDecimal(2)), at + ": sum " + h.sum + " / " + r.getDecimal(2));
        assertEquals(0, h.min.compareTo(r.getDecimal(3)), at + ": min");
        assertEquals(0, h.max.compareTo(r.getDecimal(4)), at + ": max");
        assertEquals(h.count, r.getLong(5), at);
      }
    }
  }

  /**
   * Adds a reading as the stream does: a parsed row, or (odd seconds, values at the parser's scale) as numbers straight
   * from a line's bytes; both ways meet in the same cells.
   */
  private static void add(PartialCombiner partition, Oracle.Reading r, boolean late) {
    if (r.ts().getEpochSecond() % 2 != 0 && r.value().scale() == 10) {
      partition.addReading(r.siloId(), Math.floorDiv(r.ts().toEpochMilli(), 3_600_000L),
          r.value().unscaledValue().longValueExact(), late);
    } else {
      partition.add(RowFactory.create(r.siloId(), Timestamp.from(r.ts()), r.value()), late);
    }
  }

  /** A combiner as Spark sends a partition's to the driver: Java-serialized and read back. */
  static PartialCombiner roundTrip(PartialCombiner c) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      return (PartialCombiner) in.readObject();
    }
  }

  @Test
  void eventsCountedInEveryBucketSizeAndSortedByTheirUtf8Bytes() throws Exception {
    Random rnd = new Random(11);
    String[] accounts = {"acc-1", "acc-2", "Zürich", "ﬀ-ligature", "😀-emoji", "\uFFFD", "a", "a-b"};
    String[] types = {"items", "tasks", "scoreResults", "evaluations"};
    List<Oracle.Event> events = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      events.add(new Oracle.Event(types[rnd.nextInt(types.length)], accounts[rnd.nextInt(accounts.length)],
          Instant.ofEpochMilli(1_790_000_000_000L + rnd.nextInt(6 * 3_600_000))));
    }
    PartialCombiner driver = BucketCounts.AGGREGATION.newCombiner();
    for (List<Oracle.Event> part : split(events, 4, rnd)) {
      PartialCombiner partition = BucketCounts.AGGREGATION.newCombiner();
      part.forEach(e -> partition.add(RowFactory.create(e.recordType(), e.accountId(), Timestamp.from(e.ts())), false));
      if (rnd.nextBoolean()) {
        driver.mergeAll(roundTrip(partition)); // the stream's way; rows, the other, must give the same
      } else {
        partition.rows(AT).forEach(driver::merge);
      }
    }
    List<Row> rows = driver.rows(null);
    Map<Oracle.BucketKey, Long> got = new TreeMap<>();
    for (Row r : rows) {
      got.put(new Oracle.BucketKey(r.getString(0), r.getString(1), r.getInt(2), r.getTimestamp(3).toInstant()),
          r.getLong(4));
      assertEquals(0L, r.getLong(5));
      assertNull(r.get(6));
    }
    assertEquals(Oracle.buckets(events), got);
    for (int i = 1; i < rows.size(); i++) {
      assertTrue(compareKeys(rows.get(i - 1), rows.get(i)) < 0, "rows " + (i - 1) + " and " + i + " out of order");
    }
  }

  /** (record_type, account_id) by UTF-8 bytes, as Spark sorts strings, then bucket size and start. */
  private static int compareKeys(Row a, Row b) {
    for (int f = 0; f < 2; f++) {
      int c = Arrays.compareUnsigned(a.getString(f).getBytes(StandardCharsets.UTF_8),
          b.getString(f).getBytes(StandardCharsets.UTF_8));
      if (c != 0) {
        return c;
      }
    }
    int c = Integer.compare(a.getInt(2), b.getInt(2));
    return c != 0 ? c : a.getTimestamp(3).compareTo(b.getTimestamp(3));
  }

  private static <T> List<List<T>> split(List<T> all, int parts, Random rnd) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      out.add(new ArrayList<>());
    }
    all.forEach(x -> out.get(rnd.nextInt(parts)).add(x));
    return out;
  }
}
