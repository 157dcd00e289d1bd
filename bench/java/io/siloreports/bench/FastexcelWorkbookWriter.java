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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * The alternative weighed for the large report: {@code org.dhatim:fastexcel}, which writes each worksheet on its own
 * thread straight into the zip. Same silo sheets as the report's (header, hour, avg, min, max, sum, count, late,
 * revised at, with number formats); no summary, statistics or charts (fastexcel has no charts).
 */
public final class FastexcelWorkbookWriter implements WorkbookWriter {
  @Override
  public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
      throws IOException {
    Map<Integer, Long> rowsPerSilo = new LinkedHashMap<>();
    int threads = Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
      Workbook wb = new Workbook(out, "silo-reports-bench", "1.0");
      List<Future<?>> pending = new ArrayList<>();
      List<FinalHourlyRow> silo = new ArrayList<>();
      while (rows.hasNext() || !silo.isEmpty()) {
        FinalHourlyRow r = rows.hasNext() ? rows.next() : null;
        if (r != null && (silo.isEmpty() || silo.get(0).siloId() == r.siloId())) {
          silo.add(r);
          continue;
        }
        List<FinalHourlyRow> done = silo;
        rowsPerSilo.put(done.get(0).siloId(), (long) done.size());
        Worksheet ws = wb.newWorksheet("Silo " + done.get(0).siloId());
        // Bounded: at most two sheets per thread in flight, so memory stays at a few silos' rows.
        while (pending.size() >= 2 * threads) {
          waitFor(pending.remove(0));
        }
        pending.add(pool.submit(() -> {
          writeSheet(ws, done);
          return null;
        }));
        silo = new ArrayList<>();
        if (r != null) {
          silo.add(r);
        }
      }
      for (Future<?> f : pending) {
        waitFor(f);
      }
      wb.finish();
    } finally {
      pool.shutdownNow();
    }
    return new WorkbookStats(rowsPerSilo, rowsPerSilo.size(), Files.size(target));
  }

  private static void waitFor(Future<?> f) throws IOException {
    try {
      f.get();
    } catch (Exception e) {
      throw new IOException("writing a sheet failed: " + e, e);
    }
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
      if (r % 2_000 == 0) {
        ws.flush(); // fastexcel keeps a sheet's cells until flushed
      }
    }
    ws.finish();
  }
}
