package io.siloreports.report.workbook;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Brings a report's rows to the driver in sheet order (the order of the silo list, then hour), one Spark
 * partition at a time, so the driver holds at most one partition of rows however large the report is.
 */
public final class RowsInSheetOrder {

  /**
   * Rows per partition the driver receives at once: ~70 bytes each as Spark ships them (before
   * decoding), so a partition stays around 15 MB.
   */
  static final long ROWS_PER_PARTITION = 200_000;

  private static final int MAX_PARTITIONS = 10_000;
  private static final String SHEET_POSITION = "_sheet_position";

  private RowsInSheetOrder() {}

  /**
   * Rows projected to {@link FinalHourlyRow#columns()} and sorted by the silo's position in
   * {@code silos}, then {@code hour_start}. Rows of silos missing from {@code silos} come first (their
   * position is 0), so a caller sees them before writing anything.
   */
  public static Iterator<Row> iterate(Dataset<Row> rows, List<Integer> silos, ReportHeader header) {
    Column sheetPosition =
        silos.isEmpty()
            ? lit(0L)
            : array_position(array(silos.stream().map(s -> lit(s.intValue())).toArray(Column[]::new)), col("silo_id"));
    // A range shuffle into a known number of partitions (AQE does not coalesce an explicit number),
    // sorted within each: the same order as orderBy, with the partition size chosen here rather than by
    // spark.sql.shuffle.partitions.
    return rows.withColumn(SHEET_POSITION, sheetPosition)
        .repartitionByRange(partitions(silos.size(), header), col(SHEET_POSITION), col("hour_start"))
        .sortWithinPartitions(SHEET_POSITION, "hour_start")
        .select(FinalHourlyRow.columns())
        .toLocalIterator();
  }

  /** Enough partitions for the largest report the header allows: one row per silo and hour of the range. */
  static int partitions(int silos, ReportHeader header) {
    long hours = 1;
    if (header.from() != null && header.to() != null && header.to().isAfter(header.from())) {
      hours = Math.max(1, Duration.between(header.from(), header.to()).toHours());
    }
    long expectedRows = Math.max(1, silos) * hours;
    long partitions = (expectedRows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION;
    return (int) Math.min(MAX_PARTITIONS, Math.max(1, partitions));
  }
}
