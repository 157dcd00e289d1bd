package io.siloreports.bench;

import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * The alternative weighed for the large report: {@code org.dhatim:fastexcel}. Same silo sheets as the report's
 * (header, hour, avg, min, max, sum, count, late, revised at, with number formats); no summary, statistics or charts
 * (fastexcel has no charts). One sheet at a time, each finished before the next: fastexcel fills worksheets on
 * several threads only when every sheet stays in memory until the workbook's end (its zip takes one entry at a time,
 * and a sheet finished or flushed while another is written fails with "not current zip current", dhatim/fastexcel
 * #357), which 8.76M rows do not fit.
 */
public final class FastexcelWorkbookWriter implements WorkbookWriter {
  @Override
  public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws IOException {
    Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
      Workbook wb = new Workbook(out, "silo-reports-bench", "1.0");
      List<FinalHourlyRow> silo = new ArrayList<>();
      while (rows.hasNext() || !silo.isEmpty()) {
        FinalHourlyRow r = rows.hasNext() ? rows.next() : null;
        if (r != null && (silo.isEmpty() || silo.get(0).siloId() == r.siloId())) {
          silo.add(r);
          continue;
        }
        rowsPerSilo.put(silo.get(0).siloId(), (long) silo.size());
        writeSheet(wb.newWorksheet("Silo " + silo.get(0).siloId()), silo);
        silo = new ArrayList<>();
        if (r != null) {
          silo.add(r);
        }
      }
      wb.finish();
    }
    return new WorkbookStats(rowsPerSilo, rowsPerSilo.size(), Files.size(target));
  }

  private static void writeSheet(Worksheet ws, List<FinalHourlyRow> rows) throws IOException {
    String[] names = {"hour_start (UTC)", "avg", "min", "max", "sum", "count", "late", "revised at (UTC)"};
    for (int c = 0; c < names.length; c++) {
      ws.value(0, c, names[c]);
    }
    int r = 1;
    for (FinalHourlyRow row : rows) {
      ws.value(r, 0, LocalDateTime.ofInstant(row.hourStart(), ZoneOffset.UTC));
      ws.style(r, 0).format("yyyy-mm-dd hh:mm").set();
      BigDecimal[] values = {row.avgValue(), row.minValue(), row.maxValue(), row.sumValue()};
      for (int c = 0; c < 4; c++) {
        if (values[c] != null) {
          ws.value(r, c + 1, values[c]);
          ws.style(r, c + 1).format("#,##0.00").set();
        }
      }
      ws.value(r, 5, row.recordCount());
      ws.value(r, 6, row.lateCount());
      if (row.revisedAt() != null) {
        ws.value(r, 7, LocalDateTime.ofInstant(row.revisedAt(), ZoneOffset.UTC));
      }
      r++;
    }
    ws.finish();
  }
}
