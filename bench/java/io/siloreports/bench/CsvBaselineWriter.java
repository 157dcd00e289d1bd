package io.siloreports.bench;

import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The benchmark's baseline: the same rows through the same driver iterator as {@code SxssfWorkbookWriter},
 * written as one plain CSV file. What a workbook writer costs beyond this is the cost of Excel.
 */
public final class CsvBaselineWriter implements WorkbookWriter {
  @Override
  public WorkbookStats write(ReportHeader header, java.util.Iterator<FinalHourlyRow> sorted, List<Integer> silos,
      Path target) throws IOException {
    Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
    silos.forEach(s -> rowsPerSilo.put(s, 0L));
    try (Writer out = new BufferedWriter(Files.newBufferedWriter(target, StandardCharsets.UTF_8), 1 << 16)) {
      out.write("silo_id,hour_start,avg_value,min_value,max_value,sum_value,record_count\n");
      while (sorted.hasNext()) {
        FinalHourlyRow r = sorted.next();
        out.write(Integer.toString(r.siloId()));
        out.write(',');
        out.write(r.hourStart().toString());
        for (BigDecimal v : new BigDecimal[] {r.avgValue(), r.minValue(), r.maxValue(), r.sumValue()}) {
          out.write(',');
          out.write(v == null ? "" : v.toPlainString());
        }
        out.write(',');
        out.write(Long.toString(r.recordCount()));
        out.write('\n');
        rowsPerSilo.merge(r.siloId(), 1L, Long::sum);
      }
    }
    return new WorkbookStats(rowsPerSilo, 0, Files.size(target));
  }
}
