package io.siloreports.report.workbook;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Writes one report workbook: a summary sheet first, then one sheet per silo named {@code Silo <id>}
 * (continued on {@code Silo <id> (2)}, ... past Excel's row limit).
 *
 * <p>{@code rows} holds the final hourly rows of the report with the columns
 * {@code silo_id INT, hour_start TIMESTAMP (UTC), avg_value DECIMAL(12,2), min_value DECIMAL(12,2),
 * max_value DECIMAL(12,2), sum_value DECIMAL(18,2), record_count BIGINT}. {@code silos} lists every
 * silo that gets a sheet, in sheet order (a silo without rows still gets a sheet with its header).
 */
public interface WorkbookWriter {

  /**
   * Writes the workbook to the local file {@code target} (created or replaced) from {@code rows} in sheet order (the
   * order of {@code silos}, then hour), and says what it wrote.
   */
  WorkbookStats write(ReportHeader header, java.util.Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws java.io.IOException;

  /** The same from rows in any order: Spark puts them in sheet order first ({@link RowsInSheetOrder}). */
  default WorkbookStats write(ReportHeader header, Dataset<Row> rows, List<Integer> silos, Path target)
      throws java.io.IOException {
    SiloGroups.positions(silos); // a duplicate or null fails before Spark starts
    try (RowsInSheetOrder sorted = RowsInSheetOrder.open(rows, silos, header)) {
      return write(header, sorted, silos, target);
    }
  }
}
