package io.siloreports.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.aggregate.HourlyAggregates;
import java.sql.Timestamp;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The report's hourly rows: finalized partials plus the hot readings aggregated with the same code, merged
 * and rounded once. Pure: Datasets in, Dataset out.
 */
public final class ReportRows {
  private ReportRows() {}

  /**
   * @param aggregates merged hourly partials ({@link HourlyAggregates#PARTIAL}), any hours
   * @param readings valid raw readings (silo_id, ts, value), any times
   * @param silos silos to keep; empty keeps all
   * @return rows in {@link HourlyAggregates#FINAL} and the exact sum ({@link HourlyAggregates#SUM_EXACT})
   */
  public static Dataset<Row> combine(
      Dataset<Row> aggregates, Dataset<Row> readings, ReportRange range, List<Integer> silos) {
    Dataset<Row> finalized =
        aggregates.filter(
            col("hour_start").geq(ts(range.from())).and(col("hour_start").lt(ts(range.split()))));
    Dataset<Row> hot =
        HourlyAggregates.partials(
            readings
                .select("silo_id", "ts", "value")
                .filter(col("ts").geq(ts(range.split())).and(col("ts").lt(ts(range.hotEnd())))));
    if (!silos.isEmpty()) {
      Column keep = col("silo_id").isin(silos.toArray());
      finalized = finalized.filter(keep);
      hot = hot.filter(keep);
    }
    return HourlyAggregates.finishKeepingExactSum(HourlyAggregates.merge(finalized.unionByName(hot)));
  }

  private static Column ts(java.time.Instant t) {
    return lit(Timestamp.from(t));
  }
}
