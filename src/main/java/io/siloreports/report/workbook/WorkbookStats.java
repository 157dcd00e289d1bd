package io.siloreports.report.workbook;

import io.siloreports.report.statistics.ReportStatistics;
import java.util.Map;

/**
 * What a {@link WorkbookWriter} wrote.
 *
 * @param rowsPerSilo data rows written per silo (header rows excluded), in sheet order
 * @param sheets number of sheets including the summary and continuation sheets
 * @param bytes size of the written file
 * @param statistics the per-silo statistics the report shows (null from writers that compute none)
 */
public record WorkbookStats(Map<Integer, Long> rowsPerSilo, int sheets, long bytes, ReportStatistics statistics) {
  public WorkbookStats(Map<Integer, Long> rowsPerSilo, int sheets, long bytes) {
    this(rowsPerSilo, sheets, bytes, null);
  }

  public long totalRows() {
    return rowsPerSilo.values().stream().mapToLong(Long::longValue).sum();
  }
}
