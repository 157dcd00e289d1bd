package io.siloreports.bench;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import org.apache.poi.ss.usermodel.CellStyle;
import org.apache.poi.xssf.streaming.SXSSFRow;
import org.apache.poi.xssf.streaming.SXSSFSheet;
import org.apache.poi.xssf.streaming.SXSSFWorkbook;

/**
 * The large report's comparator: what a careful engineer would write by hand for "one sheet per silo of the hourly
 * aggregates", single-threaded and without Spark. One streaming JDBC query in key order (Connector/J's row-by-row
 * streaming, so memory does not grow with the table), POI's SXSSF with a 100-row window, gzip temp files, and the
 * same cells as silo-reports' silo sheets (hour, avg, min, max, sum, count, late, revised at). No summary, no
 * statistics, no charts: those are silo-reports' extra work, and count against it in the comparison.
 *
 * <p>Usage: {@code ReportProgram <jdbc url> <user> <password> <from> <to> <output.xlsx>}; prints one {@code PROGRAM} line.
 */
public final class ReportProgram {
  private ReportProgram() {}

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    Path out = Path.of(args[5]);
    long rows = 0;
    int sheets = 0;
    try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
        SXSSFWorkbook wb = new SXSSFWorkbook(100)) {
      wb.setCompressTempFiles(true);
      CellStyle hourStyle = wb.createCellStyle();
      hourStyle.setDataFormat(wb.createDataFormat().getFormat("yyyy-mm-dd hh:mm"));
      CellStyle decimalStyle = wb.createCellStyle();
      decimalStyle.setDataFormat(wb.createDataFormat().getFormat("#,##0.00"));
      CellStyle countStyle = wb.createCellStyle();
      countStyle.setDataFormat(wb.createDataFormat().getFormat("#,##0"));
      try (PreparedStatement st = c.prepareStatement(
          "SELECT silo_id, hour_start, avg_value, min_value, max_value, sum_value, record_count, late_count, revised_at"
              + " FROM silo_hourly_aggregates WHERE hour_start >= ? AND hour_start < ? ORDER BY silo_id, hour_start",
          ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
        st.setFetchSize(Integer.MIN_VALUE); // Connector/J: stream rows instead of reading the whole result
        st.setTimestamp(1, Timestamp.valueOf(LocalDateTime.parse(args[3])));
        st.setTimestamp(2, Timestamp.valueOf(LocalDateTime.parse(args[4])));
        try (ResultSet rs = st.executeQuery()) {
          SXSSFSheet sheet = null;
          int silo = Integer.MIN_VALUE;
          int r = 0;
          while (rs.next()) {
            int id = rs.getInt(1);
            if (id != silo || r == 1_048_576) {
              silo = id;
              sheet = wb.createSheet("Silo " + id);
              sheets++;
              SXSSFRow h = sheet.createRow(0);
              String[] names = {"hour_start (UTC)", "avg", "min", "max", "sum", "count", "late", "revised at (UTC)"};
              for (int i = 0; i < names.length; i++) {
                h.createCell(i).setCellValue(names[i]);
              }
              r = 1;
            }
            SXSSFRow row = sheet.createRow(r++);
            row.createCell(0).setCellValue(rs.getTimestamp(2).toLocalDateTime());
            row.getCell(0).setCellStyle(hourStyle);
            for (int col = 1; col <= 4; col++) {
              row.createCell(col).setCellValue(rs.getBigDecimal(col + 2).doubleValue());
              row.getCell(col).setCellStyle(decimalStyle);
            }
            row.createCell(5).setCellValue(rs.getLong(7));
            row.getCell(5).setCellStyle(countStyle);
            row.createCell(6).setCellValue(rs.getLong(8));
            row.getCell(6).setCellStyle(countStyle);
            Timestamp revised = rs.getTimestamp(9);
            if (revised != null) {
              row.createCell(7).setCellValue(revised.toLocalDateTime());
            }
            rows++;
          }
        }
      }
      try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16)) {
        wb.write(o);
      }
    }
    System.out.printf("PROGRAM rows=%d sheets=%d bytes=%d seconds=%.3f%n", rows, sheets, Files.size(out),
        (System.nanoTime() - started) / 1e9);
  }
}
