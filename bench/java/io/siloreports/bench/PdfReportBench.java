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
 * fly so the heap holds only what the writer keeps; prints rows, pages, bytes, time and the heap used after, then the
 * same rows written as a plain CSV and (up to 100 silos) by the xlsx writer, with the PDF's time as a ratio of each.
 */
public final class PdfReportBench {
  public static void main(String[] a) throws Exception {
    int silos = Integer.parseInt(a[0]);
    int hours = Integer.parseInt(a[1]);
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    Instant to = from.plus(Duration.ofHours(hours));
    List<Integer> ids = new ArrayList<>();
    for (int s = 1; s <= silos; s++) ids.add(s);
    ReportHeader header = new ReportHeader("bench", ids, from, to, to, to, to, 0L);
    Path pdf = Path.of(a[2]);
    long t = System.nanoTime();
    WorkbookStats st = new PdfReportWriter().write(header, rows(silos, hours, from), ids, pdf);
    long pdfMs = (System.nanoTime() - t) / 1_000_000;
    System.gc();
    Runtime rt = Runtime.getRuntime();
    System.out.printf("%d rows, %d pages, %d bytes, %d ms, heap used after %d MB of max %d MB%n", st.totalRows(), st.sheets(), st.bytes(),
        pdfMs, (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
    // The comparators, same rows in the same JVM: a plain CSV of every row, and (up to 100 silos) the product's xlsx.
    Path csv = pdf.resolveSibling(pdf.getFileName() + ".baseline.csv");
    t = System.nanoTime();
    new CsvBaselineWriter().write(header, rows(silos, hours, from), ids, csv);
    long csvMs = (System.nanoTime() - t) / 1_000_000;
    System.out.printf("plain CSV of the same rows: %d ms, %d bytes; PDF / plain CSV = %.2fx%n", csvMs, Files.size(csv),
        pdfMs / (double) Math.max(1, csvMs));
    Files.delete(csv);
    if (silos <= 100) { // the xlsx writer keeps each sheet's buffers: more silos need more than a small heap
      Path xlsx = pdf.resolveSibling(pdf.getFileName() + ".xlsx");
      t = System.nanoTime();
      new io.siloreports.report.workbook.SxssfWorkbookWriter().write(header, rows(silos, hours, from), ids, xlsx);
      long xlsxMs = (System.nanoTime() - t) / 1_000_000;
      System.out.printf("the xlsx writer on the same rows: %d ms, %d bytes; PDF / xlsx = %.2fx%n", xlsxMs,
          Files.size(xlsx), pdfMs / (double) Math.max(1, xlsxMs));
      Files.delete(xlsx);
    }
  }

  /** The rows, made on the fly: nothing of them stays in the heap. */
  private static Iterator<FinalHourlyRow> rows(int silos, int hours, Instant from) {
    return new Iterator<>() {
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
  }
}
