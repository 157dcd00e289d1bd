package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.stream.MicroBatchAggregator;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestRules;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A report's direct read of a Parquet store follows its range, not the store's history: the partials are written sorted
 * by hour with INT64 timestamps, and the row groups outside the range are skipped by their statistics, both in a
 * batch's own files (a backlog caught up in one batch) and in the compacted set. The week read equals a plain
 * computation over the week's readings.
 */
class ParquetDirectReadTest {
  private static final Instant DAY = Instant.parse("2026-06-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-10-01T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  @TempDir java.nio.file.Path dir;

  @Test
  void aWeekOfAQuarterReadsOnlyTheRowGroupsOfThatWeek() throws Exception {
    // 120 days of 4 silos, a reading about every 20 minutes: 11,520 silo-hours, all in one micro-batch.
    List<Oracle.Reading> readings =
        TestData.readings(new Random(25)).silos(4).hours(DAY, 0, 120 * 24).every(900, 1500).build();
    String root = dir.resolve("store").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), root);
    ParquetAggregateStore store = new ParquetAggregateStore(spark, root, progress, 1, () -> {})
        .rowGroupBytes(16 * 1024);
    new MicroBatchAggregator(Pipeline.SILO_READINGS, store, progress, TestRules.DEFAULTS, TestRules.LATENESS, CLOCK)
        .process(Rows.lines(spark, TestData.json(readings)), 0);

    Instant from = DAY.plus(Duration.ofDays(60));
    Instant to = from.plus(Duration.ofDays(7));
    ParquetLayout layout = new ParquetLayout(spark.sparkContext().hadoopConfiguration(), root);
    // The batch's own files, then the compacted set (compact-every 1: written right after the batch).
    for (List<Path> dirs : List.of(List.of(layout.batchDir(Pipeline.SILO_READINGS, 0)),
        layout.committedPartialDirs(Pipeline.SILO_READINGS, 0))) {
      ParquetPartials.Read read = ParquetPartials.read(layout.hadoop(), dirs, Set.of(), from, to, Long.MAX_VALUE);
      assertEquals(4 * 120 * 24, read.decoded() + read.skipped(), dirs + ": every stored row decoded or skipped");
      assertTrue(read.decoded() < 4 * 120 * 24 / 4, dirs + ": decoded " + read.decoded() + " of " + 4 * 120 * 24
          + " rows for a week of 120 days");
      HourlyAggregatesTestAccess.assertSame(Oracle.hourly(readings.stream()
              .filter(r -> !r.ts().isBefore(from) && r.ts().isBefore(to)).toList()),
          HourlyAggregatesTestAccess.collect(HourlyAggregates.finish(spark.createDataFrame(read.rows(),
              PipelineDescriptor.of(Pipeline.SILO_READINGS).aggregation().partialSchema()))));
    }
    // The store's own read, as a report makes it: every silo-hour of the week, in sheet order.
    int rows = 0;
    try (AggregateStore.HourlyRowsInOrder week = store.hourlyInSheetOrder(List.of(), from, to).orElseThrow()) {
      assertEquals(List.of(1, 2, 3, 4), week.silos());
      for (; week.hasNext(); week.next()) {
        rows++;
      }
    }
    assertEquals(4 * 7 * 24, rows);
  }
}
