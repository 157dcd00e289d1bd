package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.model.Pipeline;
import io.siloreports.store.Quarantine;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The one pass over a micro-batch: every line ends up merged or quarantined exactly once, whether the quarantine
 * comes back with the partials or (more than a partition may send) from a second pass over the batch.
 */
class BatchPassTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private final SparkSession spark = LocalSpark.get();

  private static BatchPass pass(Instant finalizedBefore, Instant horizon) {
    return new BatchPass(Pipeline.SILO_READINGS, TestRules.DEFAULTS, NOW, 7, finalizedBefore, horizon,
        "closed in the test", Map.of());
  }

  @Test
  void fewOrManyBadLinesEveryLineIsCountedOnceAndTheValidOnesEqualAPlainLoop() {
    for (int badLines : new int[] {0, 3, BatchPass.INLINE_QUARANTINE * 6 + 1}) {
      List<Oracle.Reading> readings = TestData.readings(new Random(badLines)).silos(5)
          .hours(Instant.parse("2026-11-20T00:00:00Z"), 10, 16).jitter().build();
      List<String> lines = new ArrayList<>(TestData.json(readings));
      for (int i = 0; i < badLines; i++) {
        lines.add(i % 2 == 0 ? "{\"silo_id\": 1, \"ts\": \"2026-11-20T11:00:00Z\"" : "{\"silo_id\": -" + i + "}");
      }
      Collections.shuffle(lines, new Random(1));
      BatchPass.Result r = pass(null, null).run(Rows.lines(spark, lines).repartition(3));

      assertEquals(readings.size(), r.counts().merged(), "merged, " + badLines + " bad lines");
      assertEquals(badLines, r.counts().bad());
      List<Row> quarantined = r.quarantineRows();
      assertEquals(badLines, quarantined.size());
      assertEquals(badLines, quarantined.stream().filter(q -> Quarantine.BAD.equals(q.getString(2))
          && q.getLong(1) == 7 && q.getString(3) != null && q.getString(5).startsWith("{\"silo_id\"")).count());
      TreeMap<Oracle.HourKey, Oracle.Hour> oracle = Oracle.hourly(readings);
      assertEquals(oracle.size(), r.partials().size());
      int i = 0;
      for (Map.Entry<Oracle.HourKey, Oracle.Hour> e : oracle.entrySet()) {
        Row p = r.partials().get(i++);
        assertEquals(e.getKey().siloId(), p.getInt(0));
        assertEquals(e.getKey().hour(), p.getTimestamp(1).toInstant());
        assertEquals(0, e.getValue().sum.compareTo(p.getDecimal(2)));
        assertEquals(e.getValue().count, p.getLong(5));
      }
    }
  }

  @Test
  void recordsOfClosedHoursAreTooLateAndOfFinalHoursLate() {
    List<Oracle.Reading> readings = TestData.readings(new Random(5)).silos(3)
        .hours(Instant.parse("2026-11-20T00:00:00Z"), 10, 14).build();
    Instant finalBefore = Instant.parse("2026-11-20T12:00:00Z");
    Instant horizon = Instant.parse("2026-11-20T11:00:00Z");
    BatchPass.Result r = pass(finalBefore, horizon).run(Rows.lines(spark, TestData.json(readings)));
    long tooLate = readings.stream().filter(x -> x.ts().isBefore(horizon)).count();
    long late = readings.stream().filter(x -> !x.ts().isBefore(horizon) && x.ts().isBefore(finalBefore)).count();
    assertEquals(tooLate, r.counts().tooLate());
    assertEquals(late, r.counts().late());
    assertEquals(readings.size() - tooLate, r.counts().merged());
    List<Row> q = r.quarantineRows();
    assertEquals(tooLate, q.size());
    assertEquals(tooLate, q.stream().filter(x -> x.getString(3).startsWith("too late: hour 2026-11-20T10:00Z:")).count());
    assertEquals(late, r.partials().stream().mapToLong(p -> p.getLong(6)).sum());
  }
}
