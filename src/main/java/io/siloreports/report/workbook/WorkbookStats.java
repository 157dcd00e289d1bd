package io.siloreports.report.workbook;

import java.util.Map;

/**
 * What a {@link WorkbookWriter} wrote.
 *
 * @param rowsPerSilo data rows written per silo (header rows excluded), in sheet order
 * @param sheets number of sheets including the summary and continuation sheets
 * @param bytes size of the written file
 */
public record WorkbookStats(Map<Integer, Long> rowsPerSilo, int sheets, long bytes) {
  public long totalRows() {
    return rowsPerSilo.values().stream().mapToLong(Long::longValue).sum();
  }
}
