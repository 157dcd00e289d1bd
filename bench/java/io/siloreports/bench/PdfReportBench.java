package io.siloreports.bench;

import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.PdfReportWriter;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.WorkbookStats;
import java.math.BigDecimal;
import java.nio.file.*;
import java.time.*;
import java.util.*;

/**
 * The PDF writer on a large report in a small heap (bench/pdf/run): {@code <silos> <hours> <file>}, rows made on the
 * fly so the heap holds only what the writer keeps; prints rows, pages, bytes, time and the heap used after.
 */
public final class PdfReportBench {
  public static void main(String[] a) throws Exception {
    int silos = Integer.parseInt(a[0]);
    int hours = Integer.parseInt(a[1]);
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    Instant to = from.plus(Duration.ofHours(hours));
    List<Integer> ids = new ArrayList<>();
    for (int s = 1; s <= silos; s++) ids.add(s);
    Iterator<FinalHourlyRow> rows = new Iterator<>() {
      int s = 1, h = 0;
      public boolean hasNext() { return s <= silos; }
      public FinalHourlyRow next() {
        double v = 50 + 20 * Math.sin(h / 12.0 + s) + (h * 7919 % 13) / 10.0;
        BigDecimal d = BigDecimal.valueOf(Math.round(v * 100), 2);
        FinalHourlyRow r = new FinalHourlyRow(s, from.plus(Duration.ofHours(h)), d, d, d, d.multiply(BigDecimal.TEN), 10, 0, null);
        if (++h == hours) { h = 0; s++; }
        return r;
      }
    };
    long t = System.nanoTime();
    WorkbookStats st = new PdfReportWriter().write(new ReportHeader("bench", ids, from, to, to, to, to, 0L), rows, ids, Path.of(a[2]));
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("%d rows, %d pages, %d bytes, %d ms, heap used after %d MB of max %d MB%n", st.totalRows(), st.sheets(), st.bytes(),
        (System.nanoTime() - t) / 1_000_000, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
  }
}
