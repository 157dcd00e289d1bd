package io.siloreports.store;

import static io.siloreports.store.RetentionScenario.CLOSED;
import static io.siloreports.store.RetentionScenario.COMMITTED;
import static io.siloreports.store.RetentionScenario.D0;
import static io.siloreports.store.RetentionScenario.MAX_EVENT;
import static io.siloreports.store.RetentionScenario.NOW;
import static io.siloreports.store.RetentionScenario.POLICY;
import static io.siloreports.store.RetentionScenario.SIZES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on the Parquet store (the embedded default), applied when the stream compacts: bucket rows of each size
 * before its cut-off are left out of the compacted set and everything newer is kept as it was; the 60-minute rows equal
 * the sum of the 1-minute rows that went; quarantine batch directories older than the quarantine's age are deleted,
 * newer ones kept. Expected values come from plain loops over the generated events.
 */
class ParquetRetentionTest {
  private final SparkSession spark = LocalSpark.get();
  private final Random rnd = new Random(52);
  @TempDir Path dir;

  @Test
  void compactionLeavesOutExpiredRowsAndOldQuarantine() throws Exception {
    String root = dir.resolve("warehouse").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), root);
    ParquetAggregateStore store = new ParquetAggregateStore(spark, root, progress, 2, () -> {}).retention(POLICY);
    Map<MySqlRetentionIT.Key, Long> expected = new TreeMap<>();
    store.commit(Pipeline.ACTIVITY_EVENTS, partials(8_000, D0, 16, expected), quarantine("old"), progressOf(0));
    Map<MySqlRetentionIT.Key, Long> before = stored(store, progress);
    assertEquals(expected, before);
    Instant cutoff1 = POLICY.bucketCutoff(1, NOW, COMMITTED);
    Map<MySqlRetentionIT.Key, Long> hourSumsOfDropped = new TreeMap<>();
    before.forEach((k, n) -> {
      if (k.minutes() == 1 && k.start().isBefore(cutoff1)) {
        hourSumsOfDropped.merge(new MySqlRetentionIT.Key(60, k.account(),
            k.start().minusSeconds(k.start().getEpochSecond() % 3600)), n, Long::sum);
      }
    });
    try (var files = Files.walk(dir.resolve("warehouse/quarantine/pipeline=activity-events/batch_id=0"))) {
      for (Path f : files.toList()) {
        Files.setLastModifiedTime(f, FileTime.from(D0)); // written 20 days before NOW
      }
    }
    // batch 1 compacts (every 2 batches) with retention
    store.commit(Pipeline.ACTIVITY_EVENTS, partials(1_000, D0.plus(Duration.ofDays(16)), 4, expected),
        quarantine("new"), progressOf(1));
    assertTrue(Files.exists(dir.resolve("warehouse/compacted/bucket_counts/upto=1")), "compacted");

    Map<MySqlRetentionIT.Key, Long> retained = new TreeMap<>();
    expected.forEach((k, n) -> {
      if (!k.start().isBefore(POLICY.bucketCutoff(k.minutes(), NOW, COMMITTED))) {
        retained.put(k, n);
      }
    });
    Map<MySqlRetentionIT.Key, Long> stored = stored(store, progress);
    assertEquals(retained, stored, "exactly the rows at or after each size's cut-off");
    assertTrue(retained.size() < expected.size(), "something expired");
    assertFalse(hourSumsOfDropped.isEmpty());
    hourSumsOfDropped.forEach((hour, sum) -> assertEquals(sum, stored.get(hour), "60-minute row " + hour));
    List<String> quarantined = store.quarantine(Pipeline.ACTIVITY_EVENTS).select("reason").as(
        org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("new"), quarantined, "the old quarantine batch went, the new one stayed");
  }

  private List<Row> partials(int n, Instant from, int days, Map<MySqlRetentionIT.Key, Long> expected) {
    Map<MySqlRetentionIT.Key, Long> batch = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      long s = from.plusSeconds((long) (rnd.nextDouble() * days * 86_400)).getEpochSecond();
      for (int m : SIZES) {
        batch.merge(new MySqlRetentionIT.Key(m, "acct-" + (i % 20), Instant.ofEpochSecond(s - s % (m * 60L))), 1L,
            Long::sum);
      }
    }
    batch.forEach((k, c) -> expected.merge(k, c, Long::sum));
    List<Row> rows = new ArrayList<>();
    batch.forEach((k, c) -> rows.add(RowFactory.create("login", k.account(), k.minutes(), Timestamp.from(k.start()),
        c, 0L, null)));
    return rows;
  }

  private Dataset<Row> quarantine(String reason) {
    return spark.createDataFrame(List.of(RowFactory.create("activity-events", 0L, Quarantine.BAD, reason, null, "x",
        "f", Timestamp.from(NOW))), Quarantine.SCHEMA);
  }

  private static AggregationProgress progressOf(long batch) {
    return new AggregationProgress(Pipeline.ACTIVITY_EVENTS, batch, CLOSED, MAX_EVENT, 0, 0, 0, 0, CLOSED, null, NOW);
  }

  private static Map<MySqlRetentionIT.Key, Long> stored(ParquetAggregateStore store, ParquetProgressStore progress) {
    Map<MySqlRetentionIT.Key, Long> out = new TreeMap<>();
    for (Row r : store.aggregates(Pipeline.ACTIVITY_EVENTS, progress.last(Pipeline.ACTIVITY_EVENTS).orElseThrow())
        .collectAsList()) {
      out.put(new MySqlRetentionIT.Key(r.getInt(2), r.getString(1), r.getTimestamp(3).toInstant()), r.getLong(4));
    }
    return out;
  }
}
