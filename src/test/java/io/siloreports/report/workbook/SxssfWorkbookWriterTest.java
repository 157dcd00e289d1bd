package io.siloreports.report.workbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.testing.LocalSpark;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.util.PaneInformation;
import org.apache.poi.xssf.usermodel.XSSFCell;
import org.apache.poi.xssf.usermodel.XSSFRow;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The workbook writer: cells, formats, dimensions and sheet roll-over, each read back with POI. Longer than most test classes for that reason. */
class SxssfWorkbookWriterTest {
  /** The report rows the writer takes: the columns of the aggregation's output. */
  private static final StructType SCHEMA = HourlyAggregates.FINAL;

  private static final Instant FROM = Instant.parse("2024-12-30T00:00:00Z");
  private static final Instant TO = Instant.parse("2025-01-02T00:00:00Z");
  private static final ReportHeader HEADER =
      new ReportHeader(
          "job-42",
          List.of(3, 1, 7, 2),
          FROM,
          TO,
          Instant.parse("2025-01-02T00:15:00Z"),
          Instant.parse("2025-01-01T22:00:00Z"),
          Instant.parse("2025-01-02T00:20:07Z"),
          3L);
  private static final Instant REVISED = Instant.parse("2025-01-01T05:06:07Z");
  /** Sheet order on purpose not ascending; silo 7 has no rows. */
  private static final List<Integer> SILOS = HEADER.silos();

  private static SparkSession spark;
  private static List<FinalHourlyRow> input;
  private static Dataset<Row> rows;

  @TempDir Path dir;

  @BeforeAll
  static void data() {
    spark = LocalSpark.get();
    List<FinalHourlyRow> all = new ArrayList<>();
    // Silo 1: range boundaries (first hour, the hours around the year change, last hour) and a count
    // that POI would write as 1.2345678E7.
    for (Instant hour :
        List.of(FROM, Instant.parse("2024-12-31T23:00:00Z"), Instant.parse("2025-01-01T00:00:00Z"), TO.minusSeconds(3600))) {
      all.add(row(1, hour, "10.50", "0.01", "99.99", "1234.56", 12_345_678L));
    }
    // Silo 2: negative values, the largest DECIMAL(12,2) magnitudes, whole-number decimals; two hours revised by late
    // readings (2 and 1 of them).
    for (int h = 0; h < 5; h++) {
      FinalHourlyRow r =
          row(2, FROM.plus(Duration.ofHours(10 + h)), "-12.34", "-9999999999.99", "0.00", "-123456789012.3" + h, 1L + h);
      if (h < 2) {
        r = new FinalHourlyRow(r.siloId(), r.hourStart(), r.avgValue(), r.minValue(), r.maxValue(), r.sumValue(),
            r.recordCount(), 2 - h, REVISED.plusSeconds(h));
      }
      all.add(r);
    }
    // Silo 3: nine consecutive hours, enough to need three sheets at five rows per sheet.
    for (int h = 0; h < 9; h++) {
      all.add(row(3, FROM.plus(Duration.ofHours(30 + h)), h + ".25", "-" + h + ".00", (100 + h) + ".75", (1000 * h) + ".00", 60L));
    }
    input = List.copyOf(all);
    List<Row> shuffled = all.stream().map(SxssfWorkbookWriterTest::sparkRow).collect(Collectors.toList());
    Collections.shuffle(shuffled, new Random(7));
    rows = spark.createDataFrame(shuffled, SCHEMA).repartition(3);
  }

  @Test
  void writesSummaryThenOneSheetPerSiloInListOrder() throws Exception {
    Path target = dir.resolve("report.xlsx");
    Files.writeString(target, "an older report, replaced");

    WorkbookStats stats = new SxssfWorkbookWriter().write(HEADER, rows, SILOS, target);

    Map<Integer, List<List<FinalHourlyRow>>> expected = expectedSheets(Integer.MAX_VALUE);
    assertEquals(List.of(3, 1, 7, 2), List.copyOf(stats.rowsPerSilo().keySet()));
    assertEquals(Map.of(3, 9L, 1, 4L, 7, 0L, 2, 5L), stats.rowsPerSilo());
    assertEquals(7, stats.sheets(), "Summary, 4 silo sheets, Anomalies, Gaps");
    assertEquals(Files.size(target), stats.bytes());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(target), files.collect(Collectors.toList()), "no temp file left next to the report");
    }
    assertWorkbook(target, expected, stats);
  }

  @Test
  void continuesSilosOnNumberedSheetsPastTheRowLimit() throws Exception {
    Path target = dir.resolve("report.xlsx");

    WorkbookStats stats = new SxssfWorkbookWriter(5).write(HEADER, rows, SILOS, target);

    Map<Integer, List<List<FinalHourlyRow>>> expected = expectedSheets(4);
    assertEquals(9 + 4 + 0 + 5, stats.totalRows());
    assertEquals(10, stats.sheets());
    try (XSSFWorkbook workbook = open(target)) {
      assertEquals(
          List.of("Summary", "Silo 3", "Silo 3 (2)", "Silo 3 (3)", "Silo 1", "Silo 7", "Silo 2", "Silo 2 (2)", "Anomalies",
              "Gaps"),
          sheetNames(workbook));
    }
    assertWorkbook(target, expected, stats);
  }

  @Test
  void refusesRowsOfASiloNotInTheListAndLeavesNoFile() {
    Path target = dir.resolve("report.xlsx");
    List<Integer> withoutSilo2 = List.of(3, 1, 7);

    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SxssfWorkbookWriter().write(HEADER, rows, withoutSilo2, target));

    assertTrue(error.getMessage().contains("silo 2"), error.getMessage());
    assertFalse(Files.exists(target));
    assertEquals(0, dir.toFile().list().length, "the partial file is removed");
  }

  @Test
  void refusesASiloListedTwice() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SxssfWorkbookWriter().write(HEADER, rows, List.of(1, 2, 1), dir.resolve("r.xlsx")));
  }

  // ---- expectations, computed from the input list without the writer's code

  /** Per silo in sheet order: its rows sorted by hour, cut into sheets of at most {@code perSheet} rows. */
  private static Map<Integer, List<List<FinalHourlyRow>>> expectedSheets(int perSheet) {
    Map<Integer, List<List<FinalHourlyRow>>> sheets = new LinkedHashMap<>();
    for (int silo : SILOS) {
      List<FinalHourlyRow> siloRows =
          input.stream()
              .filter(r -> r.siloId() == silo)
              .sorted(Comparator.comparing(FinalHourlyRow::hourStart))
              .collect(Collectors.toList());
      List<List<FinalHourlyRow>> parts = new ArrayList<>();
      for (int i = 0; i < siloRows.size(); i += perSheet) {
        parts.add(siloRows.subList(i, Math.min(siloRows.size(), i + perSheet)));
      }
      if (parts.isEmpty()) {
        parts.add(List.of());
      }
      sheets.put(silo, parts);
    }
    return sheets;
  }

  private static void assertWorkbook(
      Path target, Map<Integer, List<List<FinalHourlyRow>>> expected, WorkbookStats stats) throws Exception {
    List<String> expectedNames = new ArrayList<>(List.of("Summary"));
    expected.forEach(
        (silo, parts) -> {
          for (int p = 0; p < parts.size(); p++) {
            expectedNames.add(p == 0 ? "Silo " + silo : "Silo " + silo + " (" + (p + 1) + ")");
          }
        });
    expectedNames.add("Anomalies");
    expectedNames.add("Gaps");
    Map<String, String> dimensions = new LinkedHashMap<>();
    Map<String, List<String>> countTexts = new LinkedHashMap<>();
    readSheetXml(target, dimensions, countTexts);
    assertEquals(expectedNames, List.copyOf(dimensions.keySet()), "sheets in workbook.xml");

    try (XSSFWorkbook workbook = open(target)) {
      assertEquals(expectedNames, sheetNames(workbook));
      assertSummary(workbook.getSheetAt(0), expected, stats);
      // 18 facts, a blank row, the table header, one row per silo and the all-silos row; a blank row, the revised
      // hours' header, 2 hours.
      assertEquals("A1:S" + (18 + 1 + 1 + expected.size() + 1 + 1 + 1 + 2), dimensions.get("Summary"));
      int sheetIndex = 1;
      for (var silo : expected.entrySet()) {
        for (int p = 0; p < silo.getValue().size(); p++) {
          List<FinalHourlyRow> part = silo.getValue().get(p);
          XSSFSheet sheet = workbook.getSheetAt(sheetIndex++);
          assertSiloSheet(sheet, part);
          // A chart on a silo's first sheet when it has rows: avg, min and max of that sheet's rows.
          var drawing = sheet.getDrawingPatriarch();
          if (p == 0 && !part.isEmpty()) {
            assertEquals(1, drawing.getCharts().size(), sheet.getSheetName());
            var series = drawing.getCharts().get(0).getCTChart().getPlotArea().getScatterChartArray(0).getSerList();
            String name = "'" + sheet.getSheetName() + "'!$";
            int last = part.size() + 1;
            assertEquals(List.of(name + "B$2:$B$" + last, name + "C$2:$C$" + last, name + "D$2:$D$" + last),
                series.stream().map(x -> x.getYVal().getNumRef().getF()).toList());
            assertEquals(name + "A$2:$A$" + last, series.get(0).getXVal().getNumRef().getF());
          } else {
            assertTrue(drawing == null || drawing.getCharts().isEmpty(), sheet.getSheetName() + " has no chart");
          }
          assertEquals("A1:I" + (part.size() + 1), dimensions.get(sheet.getSheetName()), sheet.getSheetName());
          List<String> expectedCounts = part.stream().map(r -> Long.toString(r.recordCount())).toList();
          assertEquals(expectedCounts, countTexts.get(sheet.getSheetName()), "count <v> texts of " + sheet.getSheetName());
        }
      }
    }
  }

  private static void assertSiloSheet(XSSFSheet sheet, List<FinalHourlyRow> expected) {
    String name = sheet.getSheetName();
    assertEquals(expected.size(), sheet.getLastRowNum(), name + " last row index");
    XSSFRow header = sheet.getRow(0);
    List<String> titles =
        List.of("hour_start (UTC)", "avg", "min", "max", "sum", "count", "late", "revised at (UTC)", "anomaly");
    for (int c = 0; c < titles.size(); c++) {
      XSSFCell cell = header.getCell(c);
      assertEquals(CellType.STRING, cell.getCellType());
      assertEquals(titles.get(c), cell.getStringCellValue());
      assertTrue(cell.getCellStyle().getFont().getBold(), name + " header is bold");
    }
    assertEquals(titles.size(), header.getLastCellNum());
    PaneInformation pane = sheet.getPaneInformation();
    assertTrue(pane != null && pane.isFreezePane(), name + " has a frozen pane");
    assertEquals(1, pane.getHorizontalSplitPosition(), name + " freezes one row");
    assertEquals(0, pane.getVerticalSplitPosition(), name + " freezes no column");
    assertEquals(18 * 256, sheet.getColumnWidth(0));
    assertEquals(10 * 256, sheet.getColumnWidth(5));

    for (int i = 0; i < expected.size(); i++) {
      FinalHourlyRow want = expected.get(i);
      XSSFRow row = sheet.getRow(i + 1);
      String where = name + " row " + (i + 2);
      assertEquals(want.revisedAt() == null ? 7 : 8, row.getLastCellNum(), where);
      XSSFCell hour = row.getCell(0);
      assertEquals(CellType.NUMERIC, hour.getCellType(), where);
      assertTrue(DateUtil.isCellDateFormatted(hour), where);
      assertEquals("yyyy-mm-dd hh:mm", hour.getCellStyle().getDataFormatString(), where);
      assertEquals(LocalDateTime.ofInstant(want.hourStart(), ZoneOffset.UTC), hour.getLocalDateTimeCellValue(), where);
      assertDecimal(row.getCell(1), want.avgValue(), where + " avg");
      assertDecimal(row.getCell(2), want.minValue(), where + " min");
      assertDecimal(row.getCell(3), want.maxValue(), where + " max");
      assertDecimal(row.getCell(4), want.sumValue(), where + " sum");
      XSSFCell count = row.getCell(5);
      assertEquals(CellType.NUMERIC, count.getCellType(), where);
      assertEquals("#,##0", count.getCellStyle().getDataFormatString(), where);
      assertEquals((double) want.recordCount(), count.getNumericCellValue(), where + " count");
      assertEquals((double) want.lateCount(), row.getCell(6).getNumericCellValue(), where + " late");
      if (want.revisedAt() != null) {
        XSSFCell revised = row.getCell(7);
        assertTrue(DateUtil.isCellDateFormatted(revised), where);
        assertEquals(utc(want.revisedAt()), revised.getLocalDateTimeCellValue(), where + " revised at");
      }
    }
  }

  private static void assertDecimal(Cell cell, BigDecimal want, String where) {
    assertEquals(CellType.NUMERIC, cell.getCellType(), where);
    assertEquals("#,##0.00", cell.getCellStyle().getDataFormatString(), where);
    assertEquals(want.doubleValue(), cell.getNumericCellValue(), where);
  }

  private static void assertSummary(
      XSSFSheet summary, Map<Integer, List<List<FinalHourlyRow>>> expected, WorkbookStats stats) {
    long total = input.size();
    Object[][] facts = {
      {"job id", "job-42"},
      {"silos", 4.0},
      {"silo ids", "3, 1, 7, 2"},
      {"range from (UTC)", LocalDateTime.of(2024, 12, 30, 0, 0)},
      {"range to (UTC, exclusive)", LocalDateTime.of(2025, 1, 2, 0, 0)},
      {"cut-off (UTC)", LocalDateTime.of(2025, 1, 2, 0, 15)},
      {"finalized before (UTC)", LocalDateTime.of(2025, 1, 1, 22, 0)},
      {"generated at (UTC)", LocalDateTime.of(2025, 1, 2, 0, 20, 7)},
      {"total rows", (double) total},
      {"late readings included", 3.0},
      {"hours revised after final", 2.0},
      {"too-late readings, not included (whole stream)", 3.0},
      {"silos without data", 1.0},
    };
    for (int r = 0; r < facts.length; r++) {
      XSSFRow row = summary.getRow(r);
      assertEquals(facts[r][0], row.getCell(0).getStringCellValue(), "summary label " + r);
      assertEquals(facts[r][1], cellValue(row.getCell(1)), "summary " + facts[r][0]);
    }
    assertEquals(total, stats.totalRows());
    int factRows = 18; // the statistics' facts follow: SiloReportTest and the statistics' tests check them
    assertNull(summary.getRow(factRows), "a blank row before the table");
    XSSFRow tableHeader = summary.getRow(factRows + 1);
    assertEquals(
        List.of("silo", "sheets", "rows", "first hour (UTC)", "last hour (UTC)"),
        List.of(0, 1, 2, 3, 4).stream().map(c -> tableHeader.getCell(c).getStringCellValue()).toList());
    int r = factRows + 2;
    for (var silo : expected.entrySet()) {
      List<FinalHourlyRow> siloRows = silo.getValue().stream().flatMap(List::stream).toList();
      String sheets =
          java.util.stream.IntStream.rangeClosed(1, silo.getValue().size())
              .mapToObj(p -> p == 1 ? "Silo " + silo.getKey() : "Silo " + silo.getKey() + " (" + p + ")")
              .collect(Collectors.joining(", "));
      XSSFRow row = summary.getRow(r++);
      assertEquals((double) silo.getKey(), row.getCell(0).getNumericCellValue());
      assertEquals(sheets, row.getCell(1).getStringCellValue());
      assertEquals((double) siloRows.size(), row.getCell(2).getNumericCellValue());
      if (siloRows.isEmpty()) {
        assertNull(row.getCell(3));
        assertNull(row.getCell(4));
      } else {
        assertEquals(utc(siloRows.get(0).hourStart()), row.getCell(3).getLocalDateTimeCellValue());
        assertEquals(utc(siloRows.get(siloRows.size() - 1).hourStart()), row.getCell(4).getLocalDateTimeCellValue());
      }
    }
    XSSFRow all = summary.getRow(r++);
    assertEquals("all silos", all.getCell(0).getStringCellValue());
    assertEquals((double) total, all.getCell(2).getNumericCellValue(), "all silos: rows");
    assertEquals((double) input.stream().mapToLong(FinalHourlyRow::recordCount).sum(), all.getCell(5).getNumericCellValue(),
        "all silos: readings");
    assertNull(summary.getRow(r++), "a blank row before the revised hours");
    XSSFRow revisedHeader = summary.getRow(r++);
    assertEquals(List.of("silo", "revised hour (UTC)", "late readings", "revised at (UTC)"),
        List.of(0, 1, 2, 3).stream().map(c -> revisedHeader.getCell(c).getStringCellValue()).toList());
    List<FinalHourlyRow> revised = expected.values().stream().flatMap(List::stream).flatMap(List::stream)
        .filter(x -> x.revisedAt() != null).toList();
    for (FinalHourlyRow want : revised) {
      XSSFRow row = summary.getRow(r++);
      assertEquals((double) want.siloId(), row.getCell(0).getNumericCellValue());
      assertEquals(utc(want.hourStart()), row.getCell(1).getLocalDateTimeCellValue());
      assertEquals((double) want.lateCount(), row.getCell(2).getNumericCellValue());
      assertEquals(utc(want.revisedAt()), row.getCell(3).getLocalDateTimeCellValue());
    }
    assertEquals(2, revised.size());
    assertEquals(r - 1, summary.getLastRowNum());
  }

  private static Object cellValue(Cell cell) {
    if (cell.getCellType() == CellType.STRING) {
      return cell.getStringCellValue();
    }
    return DateUtil.isCellDateFormatted(cell) ? cell.getLocalDateTimeCellValue() : (Object) cell.getNumericCellValue();
  }

  // ---- reading the file

  private static XSSFWorkbook open(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new XSSFWorkbook(in);
    }
  }

  private static List<String> sheetNames(XSSFWorkbook workbook) {
    List<String> names = new ArrayList<>();
    workbook.forEach(s -> names.add(s.getSheetName()));
    return names;
  }

  /**
   * Reads the package's XML directly: per sheet (in workbook.xml order) its {@code <dimension ref>} and the
   * {@code <v>} texts of the count column F below the header.
   */
  private static void readSheetXml(Path file, Map<String, String> dimensions, Map<String, List<String>> countTexts)
      throws Exception {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Document workbook = xml(zip, "xl/workbook.xml");
      Document rels = xml(zip, "xl/_rels/workbook.xml.rels");
      Map<String, String> targetById = new LinkedHashMap<>();
      NodeList relationships = rels.getElementsByTagNameNS("*", "Relationship");
      for (int i = 0; i < relationships.getLength(); i++) {
        Element rel = (Element) relationships.item(i);
        targetById.put(rel.getAttribute("Id"), rel.getAttribute("Target"));
      }
      NodeList sheets = workbook.getElementsByTagNameNS("*", "sheet");
      for (int i = 0; i < sheets.getLength(); i++) {
        Element sheet = (Element) sheets.item(i);
        String id = sheet.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id");
        String target = targetById.get(id).replaceFirst("^/xl/", "");
        Document sheetXml = xml(zip, "xl/" + target);
        NodeList dimension = sheetXml.getElementsByTagNameNS("*", "dimension");
        assertEquals(1, dimension.getLength(), target + " has one dimension element");
        dimensions.put(sheet.getAttribute("name"), ((Element) dimension.item(0)).getAttribute("ref"));
        List<String> counts = new ArrayList<>();
        NodeList cells = sheetXml.getElementsByTagNameNS("*", "c");
        for (int c = 0; c < cells.getLength(); c++) {
          Element cell = (Element) cells.item(c);
          if (sheet.getAttribute("name").startsWith("Silo ") && cell.getAttribute("r").matches("F([2-9]|\\d\\d+)")) {
            counts.add(cell.getElementsByTagNameNS("*", "v").item(0).getTextContent());
          }
        }
        countTexts.put(sheet.getAttribute("name"), counts);
      }
    }
  }

  private static Document xml(ZipFile zip, String name) throws Exception {
    ZipEntry entry = zip.getEntry(name);
    assertTrue(entry != null, "package has " + name);
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readAllBytes();
    }
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(bytes));
  }

  // ---- input

  private static FinalHourlyRow row(
      int silo, Instant hour, String avg, String min, String max, String sum, long count) {
    return new FinalHourlyRow(
        silo, hour, new BigDecimal(avg), new BigDecimal(min), new BigDecimal(max), new BigDecimal(sum), count, 0L,
        null);
  }

  private static Row sparkRow(FinalHourlyRow r) {
    return RowFactory.create(
        r.siloId(), Timestamp.from(r.hourStart()), r.avgValue(), r.minValue(), r.maxValue(), r.sumValue(), r.recordCount(),
        r.lateCount(), r.revisedAt() == null ? null : Timestamp.from(r.revisedAt()));
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
