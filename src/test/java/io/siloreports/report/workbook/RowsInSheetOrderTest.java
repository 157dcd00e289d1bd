package io.siloreports.report.workbook;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.testing.LocalSpark;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class RowsInSheetOrderTest {
  /** The report rows the writer takes: the columns of the aggregation's output. */
  private static final StructType SCHEMA = HourlyAggregates.FINAL;
  private static final Instant FROM = Instant.parse("2025-03-01T00:00:00Z");

  private final SparkSession spark = LocalSpark.get();

  @Test
  void yieldsSilosInListOrderThenHoursAndUnlistedSilosFirst() {
    List<FinalHourlyRow> input = new ArrayList<>();
    for (int silo : List.of(1, 2, 9)) {
      for (int h = 0; h < 6; h++) {
        input.add(row(silo, FROM.plus(Duration.ofHours(h * 7 % 6 + 10L * silo))));
      }
    }
    List<Integer> silos = List.of(2, 1); // 9 is not listed
    List<FinalHourlyRow> expected = new ArrayList<>();
    for (int silo : List.of(9, 2, 1)) {
      input.stream()
          .filter(r -> r.siloId() == silo)
          .sorted(Comparator.comparing(FinalHourlyRow::hourStart))
          .forEach(expected::add);
    }

    List<FinalHourlyRow> actual = new ArrayList<>();
    try (RowsInSheetOrder rows = RowsInSheetOrder.open(dataset(input), silos, header(silos, 48))) {
      rows.forEachRemaining(actual::add);
    }

    assertEquals(expected, actual);
  }

  @Test
  void handsSparkFailuresToTheConsumer() {
    List<FinalHourlyRow> input = List.of(row(1, FROM), row(2, FROM));
    Dataset<Row> failing =
        dataset(input).withColumn("avg_value", when(col("silo_id").equalTo(2), raise_error(lit("boom in silo 2"))).otherwise(col("avg_value")));

    try (RowsInSheetOrder rows = RowsInSheetOrder.open(failing, List.of(1, 2), header(List.of(1, 2), 1))) {
      RuntimeException error = assertThrows(RuntimeException.class, () -> rows.forEachRemaining(r -> {}));
      assertTrue(causeChain(error).contains("boom in silo 2"), causeChain(error));
    }
  }

  @Test
  void closeStopsTheFetchingThreadWhileItWaitsForTheConsumer() throws Exception {
    // More rows than the prefetch queue holds, so the fetching thread is waiting for room.
    int hours = RowsInSheetOrder.PREFETCH_ROWS * 2;
    Dataset<Row> many =
        spark.range(hours)
            .select(
                lit(1).as("silo_id"),
                col("id").multiply(3600).plus(FROM.getEpochSecond()).cast("timestamp").as("hour_start"),
                lit(new BigDecimal("1.00")).cast("decimal(12,2)").as("avg_value"),
                lit(new BigDecimal("1.00")).cast("decimal(12,2)").as("min_value"),
                lit(new BigDecimal("1.00")).cast("decimal(12,2)").as("max_value"),
                lit(new BigDecimal("1.00")).cast("decimal(18,2)").as("sum_value"),
                lit(1L).as("record_count"),
                lit(0L).as("late_count"),
                lit(null).cast("timestamp").as("revised_at"));
    RowsInSheetOrder rows = RowsInSheetOrder.open(many, List.of(1), header(List.of(1), hours));
    assertEquals(FROM, rows.next().hourStart());

    rows.close();

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (rows.fetching() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(rows.fetching(), "the fetching thread ended after close()");
  }

  @Test
  void sizesPartitionsForTheLargestReportTheRangeAllows() {
    List<Integer> thousand = java.util.stream.IntStream.rangeClosed(1, 1000).boxed().toList();
    // 1,000 silos x 8,760 hours = 8,760,000 rows in partitions of at most 200,000
    assertEquals(44, RowsInSheetOrder.partitions(1000, header(thousand, 8760)));
    assertEquals(1, RowsInSheetOrder.partitions(3, header(List.of(1, 2, 3), 24)));
    assertEquals(1, RowsInSheetOrder.partitions(0, header(List.of(), 0)));
  }

  private Dataset<Row> dataset(List<FinalHourlyRow> rows) {
    List<Row> shuffled =
        rows.stream()
            .map(r -> RowFactory.create(r.siloId(), Timestamp.from(r.hourStart()), r.avgValue(), r.minValue(), r.maxValue(), r.sumValue(), r.recordCount(), r.lateCount(), null))
            .collect(Collectors.toList());
    Collections.shuffle(shuffled, new Random(3));
    return spark.createDataFrame(shuffled, SCHEMA).repartition(2);
  }

  private static FinalHourlyRow row(int silo, Instant hour) {
    BigDecimal v = new BigDecimal(silo + ".50");
    return new FinalHourlyRow(silo, hour, v, v, v, v, 3L, 0L, null);
  }

  private static ReportHeader header(List<Integer> silos, long hours) {
    Instant to = FROM.plus(Duration.ofHours(hours));
    return new ReportHeader("job", silos, FROM, to, to, to, to, 0L);
  }

  private static String causeChain(Throwable t) {
    StringBuilder messages = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      messages.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" / ");
    }
    return messages.toString();
  }
}
