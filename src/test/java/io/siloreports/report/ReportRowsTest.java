package io.siloreports.report;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestData;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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

  @Test
  void streamedInSheetOrderWithoutSparkEqualsTheSparkRows() {
    List<Oracle.Reading> all = TestData.readings(new Random(5)).silos(6).hours(DAY, 0, 10).every(60, 900).jitter()
        .values(4, 2_000_000, -500_000).build();
    Instant split = DAY.plusSeconds(7 * 3600);
    ReportRange range = new ReportRange(DAY.plusSeconds(3600), DAY.plusSeconds(10 * 3600), DAY.plusSeconds(10 * 3600),
        split);
    // silo 9 has no rows at all; silo 6 only hot ones; the list is not ascending (a user's order is the sheet order)
    List<Integer> silos = List.of(5, 2, 9, 6, 1);
    List<Oracle.Reading> finalizedReadings = all.stream().filter(r -> r.siloId() != 6).toList();

    List<Integer> position = new ArrayList<>(silos);
    Comparator<FinalHourlyRow> sheetOrder =
        Comparator.<FinalHourlyRow>comparingInt(r -> position.indexOf(r.siloId()))
            .thenComparing(FinalHourlyRow::hourStart);
    Dataset<Row> combined = ReportRows.combine(partials(finalizedReadings), Rows.readings(spark, all), range, silos);
    List<FinalHourlyRow> viaSpark =
        combined.select(FinalHourlyRow.columns(combined)).collectAsList().stream().map(FinalHourlyRow::from).sorted(sheetOrder)
            .toList();

    // What a store streams: the finalized partials of the listed silos, in list order then hour.
    List<Row> finalized = partials(finalizedReadings)
        .filter(col("hour_start").geq(Timestamp.from(range.from()))
            .and(col("hour_start").lt(Timestamp.from(split))))
        .collectAsList().stream().filter(r -> silos.contains(r.getInt(0)))
        .sorted(Comparator.<Row>comparingInt(r -> position.indexOf(r.getInt(0)))
            .thenComparing(r -> r.getTimestamp(1)))
        .toList();
    List<Row> hot = ReportRows.hotPartials(Rows.readings(spark, all), range, silos).collectAsList();
    List<FinalHourlyRow> streamed = new ArrayList<>();
    ReportRows.inSheetOrder(finalized.iterator(), hot, silos).forEachRemaining(streamed::add);

    assertEquals(viaSpark.size(), streamed.size());
    for (int i = 0; i < streamed.size(); i++) {
      assertEquals(viaSpark.get(i), streamed.get(i), "row " + i);
    }
    assertTrue(streamed.stream().anyMatch(r -> r.siloId() == 6)
        && streamed.stream().noneMatch(r -> r.siloId() == 9 || r.siloId() == 3), "silos 6 in, 3 and 9 out");
  }
}
