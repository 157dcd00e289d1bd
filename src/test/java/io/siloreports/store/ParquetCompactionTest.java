package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.stream.MicroBatchAggregator;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet compaction: the merged aggregates stay the same and old batch directories go, one generation late. */
class ParquetCompactionTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private static final ValidationRules RULES = TestRules.DEFAULTS;
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path dir;

  @Test
  void compactionKeepsTheAggregatesAndRemovesOldBatchDirectories() throws Exception {
    Random rnd = new Random(17);
    String root = dir.resolve("compacting").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), root);
    ParquetAggregateStore store = new ParquetAggregateStore(spark, root, progress, 2, () -> {});
    MicroBatchAggregator aggregator =
        new MicroBatchAggregator(Pipeline.SILO_READINGS, store, progress, RULES, TestRules.LATENESS, CLOCK);
    List<Oracle.Reading> counted = new ArrayList<>();
    for (int batch = 0; batch < 7; batch++) {
      List<Oracle.Reading> r = TestData.readings(rnd).silos(4).hours(DAY, batch, batch + 1).every(150, 209).build();
      counted.addAll(r);
      aggregator.process(Rows.lines(spark, TestData.json(r)), batch);
      HourlyAggregatesTestAccess.assertSame(Oracle.hourly(counted), HourlyAggregatesTestAccess.collect(
          HourlyAggregates.finish(store.aggregates(Pipeline.SILO_READINGS,
              progress.last(Pipeline.SILO_READINGS).orElseThrow()))));
    }
    // compactions after batches 1, 3 and 5; the one after 5 removed the batches up to 3 (one generation late)
    Set<String> left = new TreeSet<>();
    try (var dirs = Files.list(dir.resolve("compacting/silo_hourly_aggregates"))) {
      dirs.map(d -> d.getFileName().toString()).filter(n -> n.startsWith("batch_id=")).forEach(left::add);
    }
    assertEquals(Set.of("batch_id=4", "batch_id=5", "batch_id=6"), left);
    assertTrue(Files.exists(dir.resolve("compacting/compacted/silo_hourly_aggregates/upto=5")));
  }
}
