package io.siloreports.testing;

import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/** Reads a report workbook back with plain POI, the way a person's spreadsheet would see it. */
public final class WorkbookReader {
  private WorkbookReader() {}

  /** One data row of a silo sheet, as the cells hold it. */
  public record Line(BigDecimal avg, BigDecimal min, BigDecimal max, BigDecimal sum, long count) {}

  /**
   * @param late the late column of every hour that has late readings
   * @param facts the summary's facts: label -> the cell's text, or its number as a long
   * @param revisedHours the summary's table of revised hours (silo and hour -> late readings)
   */
  public record Workbook(List<String> sheetNames, Map<Oracle.HourKey, Line> rows, Map<Oracle.HourKey, Long> late,
      Map<String, Object> facts, Map<Oracle.HourKey, Long> revisedHours) {}

  public static Workbook read(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file); XSSFWorkbook wb = new XSSFWorkbook(in)) {
      List<String> names = new ArrayList<>();
      Map<Oracle.HourKey, Line> rows = new TreeMap<>();
      Map<Oracle.HourKey, Long> late = new TreeMap<>();
      Map<String, Object> facts = new java.util.LinkedHashMap<>();
      Map<Oracle.HourKey, Long> revised = new TreeMap<>();
      for (Sheet sheet : wb) {
        names.add(sheet.getSheetName());
        if (sheet.getSheetName().equals("Summary")) {
          summary(sheet, facts, revised);
          continue;
        }
        if (!sheet.getSheetName().startsWith("Silo ")) {
          continue;
        }
        int silo = Integer.parseInt(sheet.getSheetName().substring(5).split(" ")[0]);
        for (Row r : sheet) {
          if (r.getRowNum() == 0) {
            continue;
          }
          Cell hourCell = r.getCell(0);
          if (hourCell.getCellType() != CellType.NUMERIC) {
            throw new AssertionError("hour cell is not a date at " + sheet.getSheetName() + "!A" + (r.getRowNum() + 1));
          }
          Instant hour = hourCell.getLocalDateTimeCellValue().toInstant(ZoneOffset.UTC);
          Line line = new Line(num(r, 1), num(r, 2), num(r, 3), num(r, 4), (long) r.getCell(5).getNumericCellValue());
          if (rows.put(new Oracle.HourKey(silo, hour), line) != null) {
            throw new AssertionError("hour " + hour + " of silo " + silo + " appears twice");
          }
          long lateCount = (long) r.getCell(6).getNumericCellValue();
          if (lateCount > 0) {
            late.put(new Oracle.HourKey(silo, hour), lateCount);
          }
        }
      }
      return new Workbook(names, rows, late, facts, revised);
    }
  }

  /** The facts (label, value) down to the first blank row, and the revised-hours table if there is one. */
  private static void summary(Sheet sheet, Map<String, Object> facts, Map<Oracle.HourKey, Long> revised) {
    boolean inFacts = true;
    boolean inRevised = false;
    for (int i = 0; i <= sheet.getLastRowNum(); i++) {
      Row r = sheet.getRow(i);
      if (r == null || r.getCell(0) == null) {
        inFacts = false;
        inRevised = false;
        continue;
      }
      Cell first = r.getCell(0);
      if (inFacts) {
        Cell v = r.getCell(1);
        facts.put(first.getStringCellValue(), v == null ? null
            : v.getCellType() == CellType.NUMERIC ? (Object) (long) v.getNumericCellValue() : v.getStringCellValue());
      } else if (first.getCellType() == CellType.STRING && first.getStringCellValue().equals("silo")
          && r.getCell(1) != null && r.getCell(1).getStringCellValue().startsWith("revised hour")) {
        inRevised = true;
      } else if (inRevised && first.getCellType() == CellType.NUMERIC) {
        revised.put(new Oracle.HourKey((int) first.getNumericCellValue(),
            r.getCell(1).getLocalDateTimeCellValue().toInstant(ZoneOffset.UTC)), (long) r.getCell(2).getNumericCellValue());
      }
    }
  }

  private static BigDecimal num(Row r, int col) {
    Cell c = r.getCell(col);
    if (c.getCellType() != CellType.NUMERIC) {
      throw new AssertionError("not a number: row " + (r.getRowNum() + 1) + " col " + col);
    }
    // The stored value as it is (the shortest decimal of the double), never rounded here: a workbook that holds
    // more than the 2 decimals it promises fails, rather than being rounded into agreement.
    BigDecimal stored = BigDecimal.valueOf(c.getNumericCellValue());
    try {
      return stored.setScale(2, RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new AssertionError("row " + (r.getRowNum() + 1) + " col " + col + " holds " + stored
          + ", not a value rounded to 2 decimals");
    }
  }

  /** Asserts the workbook's silo rows equal the oracle's hours exactly (same keys, same rounded values). */
  public static void assertEqualsOracle(Map<Oracle.HourKey, Oracle.Hour> expected, Map<Oracle.HourKey, Line> got) {
    if (!expected.keySet().equals(got.keySet())) {
      throw new AssertionError("hours differ: expected " + expected.size() + " rows, got " + got.size()
          + "; missing " + diff(expected.keySet(), got.keySet()) + ", extra " + diff(got.keySet(), expected.keySet()));
    }
    expected.forEach((k, h) -> {
      Line l = got.get(k);
      Line want = new Line(h.avg2(), h.min2(), h.max2(), h.sum2(), h.count);
      if (!want.equals(l)) {
        throw new AssertionError(k + ": expected " + want + " but the workbook has " + l);
      }
    });
  }

  private static List<Oracle.HourKey> diff(java.util.Set<Oracle.HourKey> a, java.util.Set<Oracle.HourKey> b) {
    return a.stream().filter(k -> !b.contains(k)).limit(5).toList();
  }

  /**
   * The Summary's per-silo table: silo -> column title -> the cell (a number as BigDecimal, a date as Instant, else
   * the text); the all-silos row under the key -1.
   */
  public static Map<Integer, Map<String, Object>> siloSummaries(Path file) throws Exception {
    try (InputStream in = Files.newInputStream(file); XSSFWorkbook wb = new XSSFWorkbook(in)) {
      Sheet sheet = wb.getSheet("Summary");
      Map<Integer, Map<String, Object>> out = new TreeMap<>();
      List<String> titles = null;
      for (int i = 0; i <= sheet.getLastRowNum(); i++) {
        Row r = sheet.getRow(i);
        if (r == null || r.getCell(0) == null) {
          if (titles != null) {
            break;
          }
          continue;
        }
        Cell first = r.getCell(0);
        if (titles == null) {
          if (first.getCellType() == CellType.STRING && first.getStringCellValue().equals("silo")
              && r.getCell(1) != null && r.getCell(1).getStringCellValue().equals("sheets")) {
            titles = new ArrayList<>();
            for (Cell c : r) {
              titles.add(c.getStringCellValue());
            }
          }
          continue;
        }
        Map<String, Object> cells = new java.util.LinkedHashMap<>();
        for (int c = 0; c < titles.size(); c++) {
          Cell cell = r.getCell(c);
          Object v = null;
          if (cell != null && cell.getCellType() == CellType.NUMERIC) {
            v = org.apache.poi.ss.usermodel.DateUtil.isCellDateFormatted(cell)
                ? cell.getLocalDateTimeCellValue().toInstant(ZoneOffset.UTC)
                : new BigDecimal(Double.toString(cell.getNumericCellValue()));
          } else if (cell != null) {
            v = cell.getStringCellValue();
          }
          cells.put(titles.get(c), v);
        }
        out.put(first.getCellType() == CellType.NUMERIC ? (int) first.getNumericCellValue() : -1, cells);
      }
      return out;
    }
  }
}
