package io.siloreports.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The union of finalized partials and hot readings: no reading in both parts or in neither. */
class ReportRowsTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private final SparkSession spark = LocalSpark.get();

  private Dataset<Row> partials(List<Oracle.Reading> readings) {
    return HourlyAggregates.partials(Rows.readings(spark, readings).select("silo_id", "ts", "value"));
  }

  @Test
  void finalizedHoursFromTheAggregatesLaterOnesFromRawUpToTheCutOff() {
    List<Oracle.Reading> all = TestData.readings(new Random(3)).silos(3).hours(DAY, 0, 8).every(60, 400).build();
    Instant cutoff = DAY.plusSeconds(6 * 3600 + 1234);
    ReportRange range = new ReportRange(DAY.plusSeconds(3600), DAY.plusSeconds(8 * 3600), cutoff,
        DAY.plusSeconds(4 * 3600));
    // The aggregates hold every hour (the stream also aggregated open hours); raw holds every reading.
    Dataset<Row> rows = ReportRows.combine(partials(all), Rows.readings(spark, all), range, List.of());
    List<Oracle.Reading> expected = all.stream()
        .filter(r -> !r.ts().isBefore(range.from()) && r.ts().isBefore(cutoff)).toList();
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(expected), HourlyAggregatesTestAccess.collect(rows));
  }

  @Test
  void onlyTheRequestedSilosAreKept() {
    List<Oracle.Reading> all = TestData.readings(new Random(4)).silos(4).hours(DAY, 0, 3).build();
    ReportRange range = new ReportRange(DAY, DAY.plusSeconds(3 * 3600), DAY.plusSeconds(3 * 3600),
        DAY.plusSeconds(3600));
    Dataset<Row> rows = ReportRows.combine(partials(all), Rows.readings(spark, all), range, List.of(2, 4));
    List<Oracle.Reading> expected = all.stream().filter(r -> r.siloId() == 2 || r.siloId() == 4).toList();
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(expected), HourlyAggregatesTestAccess.collect(rows));
    assertEquals(List.of(2, 4), rows.select("silo_id").distinct().orderBy("silo_id").collectAsList().stream()
        .map(r -> r.getInt(0)).toList());
  }
}
