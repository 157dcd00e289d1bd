package io.siloreports.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class HourlyAggregatesTest {
  private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
  private final SparkSession spark = LocalSpark.get();

  @Test
  void randomReadingsMatchThePlainJavaOracle() {
    Random rnd = new Random(42);
    List<Oracle.Reading> readings = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int silo = 1 + rnd.nextInt(40); // many silos, most hours with few readings
      Instant ts = T0.plusMillis((long) (rnd.nextDouble() * 72 * 3600_000L));
      BigDecimal v = BigDecimal.valueOf(rnd.nextInt(2_000_000) - 1_000_000, 3); // negative too, 3 decimals
      readings.add(new Oracle.Reading(silo, ts, v));
    }
    assertMatchesOracle(readings);
  }

  @Test
  void boundariesSingleReadingsNegativeValuesAndHalfUpRounding() {
    List<Oracle.Reading> readings =
        List.of(
            // exactly on an hour boundary belongs to the hour that starts there
            new Oracle.Reading(1, Instant.parse("2026-11-20T14:00:00Z"), new BigDecimal("10.00")),
            new Oracle.Reading(1, Instant.parse("2026-11-20T14:59:59.999Z"), new BigDecimal("10.01")),
            new Oracle.Reading(1, Instant.parse("2026-11-20T15:00:00Z"), new BigDecimal("-3.333")),
            // avg 0.125 -> 0.13 (HALF_UP, not HALF_EVEN)
            new Oracle.Reading(2, Instant.parse("2026-11-20T01:10:00Z"), new BigDecimal("0.1")),
            new Oracle.Reading(2, Instant.parse("2026-11-20T01:20:00Z"), new BigDecimal("0.15")),
            // negative half: -0.005 -> -0.01 (HALF_UP rounds away from zero)
            new Oracle.Reading(3, Instant.parse("2026-11-20T02:00:00Z"), new BigDecimal("-0.005")),
            // a lone reading in an otherwise empty day
            new Oracle.Reading(4, Instant.parse("2026-11-21T23:59:59Z"), new BigDecimal("99999999.99")));
    Map<Oracle.HourKey, Row> got = assertMatchesOracle(readings);
    assertEquals(new BigDecimal("0.13"), got.get(new Oracle.HourKey(2, Instant.parse("2026-11-20T01:00:00Z"))).getDecimal(2));
    assertEquals(new BigDecimal("-0.01"), got.get(new Oracle.HourKey(3, Instant.parse("2026-11-20T02:00:00Z"))).getDecimal(2));
    assertEquals(5, got.size(), "one row per silo-hour with readings (silo 1 has two), none for empty hours");
  }

  @Test
  void mergingPartialsOfAnySplitEqualsAggregatingEverythingAtOnce() {
    Random rnd = new Random(7);
    List<List<Oracle.Reading>> batches = new ArrayList<>();
    List<Oracle.Reading> all = new ArrayList<>();
    for (int b = 0; b < 5; b++) {
      List<Oracle.Reading> batch = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        batch.add(new Oracle.Reading(1 + rnd.nextInt(3), T0.plusSeconds(rnd.nextInt(6 * 3600)),
            BigDecimal.valueOf(rnd.nextInt(100_000), 2)));
      }
      batches.add(batch);
      all.addAll(batch);
    }
    Dataset<Row> unioned = null;
    for (List<Oracle.Reading> batch : batches) {
      Dataset<Row> p = HourlyAggregates.partials(Rows.readings(spark, batch));
      unioned = unioned == null ? p : unioned.unionByName(p);
    }
    Map<Oracle.HourKey, Row> got = collect(HourlyAggregates.finish(HourlyAggregates.merge(unioned)));
    assertSame(Oracle.hourly(all), got);
  }

  private Map<Oracle.HourKey, Row> assertMatchesOracle(List<Oracle.Reading> readings) {
    Map<Oracle.HourKey, Row> got =
        collect(HourlyAggregates.finish(HourlyAggregates.partials(Rows.readings(spark, readings))));
    assertSame(Oracle.hourly(readings), got);
    return got;
  }

  static void assertSame(TreeMap<Oracle.HourKey, Oracle.Hour> expected, Map<Oracle.HourKey, Row> got) {
    assertEquals(expected.keySet(), got.keySet());
    expected.forEach((k, h) -> {
      Row r = got.get(k);
      assertEquals(h.avg2(), r.getDecimal(2), "avg " + k);
      assertEquals(h.min2(), r.getDecimal(3), "min " + k);
      assertEquals(h.max2(), r.getDecimal(4), "max " + k);
      assertEquals(h.sum2(), r.getDecimal(5), "sum " + k);
      assertEquals(h.count, r.getLong(6), "count " + k);
    });
  }

  static Map<Oracle.HourKey, Row> collect(Dataset<Row> finished) {
    Map<Oracle.HourKey, Row> out = new TreeMap<>();
    for (Row r : finished.collectAsList()) {
      Row prev = out.put(new Oracle.HourKey(r.getInt(0), r.getTimestamp(1).toInstant()), r);
      assertEquals(null, prev, "duplicate key " + r);
    }
    return out;
  }
}
