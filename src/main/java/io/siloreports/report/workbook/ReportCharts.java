package io.siloreports.report.workbook;

import io.siloreports.model.Markup;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.poi.openxml4j.exceptions.InvalidFormatException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.opc.PackagePartName;
import org.apache.poi.openxml4j.opc.PackageRelationship;
import org.apache.poi.openxml4j.opc.PackagingURIHelper;
import org.apache.poi.openxml4j.opc.TargetMode;
import org.apache.poi.ss.util.CellReference;
import org.apache.poi.xssf.usermodel.XSSFRelation;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * Line charts of hourly averages, drawn by the spreadsheet from the sheets' cells.
 *
 * <p>Each chart and its drawing go into the package as finished XML bytes (about 3 KB), not as POI's chart objects:
 * those keep every chart's XML tree on the heap until the workbook is written, about 100 KB a chart, which made the
 * 1,000-silo report hold 100 MB more than without charts. The series only reference their cell ranges and carry no
 * cached values (as openpyxl writes charts; Excel and LibreOffice draw from the cells). Scatter charts with lines, so
 * hours without data leave a stretch of time on the axis instead of being squeezed out as on a category axis; every
 * line has an explicit colour (LibreOffice draws a scatter series without one invisible) and blank cells are gaps.
 */
final class ReportCharts {
  private static final String[] COLOURS = {"1F77B4", "2CA02C", "D62728", "FF7F0E", "9467BD", "8C564B", "E377C2",
      "7F7F7F", "BCBD22", "17BECF"};
  private static final long EMU_PER_COLUMN = 533_400; // only a hint: readers place the chart by its cell anchor
  private static final long EMU_PER_ROW = 190_500;

  /** Where a silo sheet's chart goes: right of the table, 16 columns by 22 rows. */
  private static final int CHART_COLUMN = SiloSheetWriter.COLUMNS + 1;

  private final XSSFWorkbook workbook;
  private int charts;

  ReportCharts(XSSFWorkbook workbook) {
    this.workbook = workbook;
  }

  /** One series: a sheet's hours (column A) against one of its columns, rows 2 to {@code lastRow} (1-based). */
  record Series(String title, String sheetName, int valueColumn, int lastRow) {}

  /** A chart of avg, min and max of a silo sheet whose data rows end at {@code lastRow} (1-based). */
  void siloChart(XSSFSheet sheet, int siloId, int lastRow) {
    String name = sheet.getSheetName();
    draw(sheet, CHART_COLUMN, 1, CHART_COLUMN + 16, 23, "Silo " + siloId + ": hourly average, min and max (UTC)",
        List.of(new Series("avg", name, 1, lastRow), new Series("min", name, 2, lastRow),
            new Series("max", name, 3, lastRow)));
  }

  /** A chart of every listed silo's hourly average, on the Summary from {@code topRow} down. */
  void summaryChart(XSSFSheet summary, int topRow, List<Series> averages) {
    // Every series over the same rows (a shorter silo's end is blank, drawn as nothing): LibreOffice draws a
    // stray line for a scatter series shorter than the first.
    int lastRow = averages.stream().mapToInt(Series::lastRow).max().orElse(2);
    List<Series> sameLength = averages.stream()
        .map(s -> new Series(s.title(), s.sheetName(), s.valueColumn(), lastRow)).toList();
    draw(summary, 0, topRow, 12, topRow + 24, "Hourly average per silo (UTC)", sameLength);
  }

  private void draw(XSSFSheet sheet, int col1, int row1, int col2, int row2, String title, List<Series> series) {
    int n = ++charts;
    try {
      OPCPackage pkg = workbook.getPackage();
      PackagePartName chartName = PackagingURIHelper.createPartName("/xl/charts/chart" + n + ".xml");
      PackagePart chart = pkg.createPart(chartName, XSSFRelation.CHART.getContentType());
      write(chart, chartXml(title, series));
      PackagePartName drawingName = PackagingURIHelper.createPartName("/xl/drawings/drawing" + n + ".xml");
      PackagePart drawing = pkg.createPart(drawingName, XSSFRelation.DRAWINGS.getContentType());
      PackageRelationship toChart =
          drawing.addRelationship(chartName, TargetMode.INTERNAL, XSSFRelation.CHART.getRelation());
      write(drawing, drawingXml(n, col1, row1, col2, row2, toChart.getId()));
      PackageRelationship toDrawing = sheet.getPackagePart()
          .addRelationship(drawingName, TargetMode.INTERNAL, XSSFRelation.DRAWINGS.getRelation());
      sheet.getCTWorksheet().addNewDrawing().setId(toDrawing.getId());
    } catch (InvalidFormatException e) {
      throw new IllegalStateException("cannot add chart " + n + " to sheet " + sheet.getSheetName(), e);
    }
  }

  private static void write(PackagePart part, String xml) {
    try (OutputStream out = part.getOutputStream()) {
      out.write(xml.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String chartXml(String title, List<Series> series) {
    StringBuilder x = new StringBuilder(1024 + 600 * series.size());
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>")
        .append("<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"")
        .append(" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"")
        .append(" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">")
        .append("<c:roundedCorners val=\"0\"/><c:chart><c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>")
        .append("<a:defRPr sz=\"1200\" b=\"1\"/></a:pPr><a:r><a:rPr lang=\"en-US\" sz=\"1200\" b=\"1\"/><a:t>")
        .append(Markup.escape(title))
        .append("</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title>")
        .append("<c:autoTitleDeleted val=\"0\"/><c:plotArea><c:layout/><c:scatterChart>")
        .append("<c:scatterStyle val=\"lineMarker\"/><c:varyColors val=\"0\"/>");
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      x.append("<c:ser><c:idx val=\"").append(i).append("\"/><c:order val=\"").append(i).append("\"/>")
          .append("<c:tx><c:v>").append(Markup.escape(s.title())).append("</c:v></c:tx>")
          .append("<c:spPr><a:ln w=\"15875\"><a:solidFill><a:srgbClr val=\"").append(COLOURS[i % COLOURS.length])
          .append("\"/></a:solidFill></a:ln></c:spPr><c:marker><c:symbol val=\"none\"/></c:marker>")
          .append("<c:xVal><c:numRef><c:f>").append(Markup.escape(range(s, 0))).append("</c:f></c:numRef></c:xVal>")
          .append("<c:yVal><c:numRef><c:f>").append(Markup.escape(range(s, s.valueColumn())))
          .append("</c:f></c:numRef></c:yVal><c:smooth val=\"0\"/></c:ser>");
    }
    x.append("<c:axId val=\"1\"/><c:axId val=\"2\"/></c:scatterChart>")
        .append("<c:valAx><c:axId val=\"1\"/><c:scaling><c:orientation val=\"minMax\"/></c:scaling>")
        .append("<c:delete val=\"0\"/><c:axPos val=\"b\"/><c:numFmt formatCode=\"yyyy-mm-dd\" sourceLinked=\"0\"/>")
        .append("<c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"low\"/>")
        .append("<c:crossAx val=\"2\"/><c:crosses val=\"autoZero\"/><c:crossBetween val=\"midCat\"/></c:valAx>")
        .append("<c:valAx><c:axId val=\"2\"/><c:scaling><c:orientation val=\"minMax\"/></c:scaling>")
        .append("<c:delete val=\"0\"/><c:axPos val=\"l\"/><c:majorGridlines/>")
        .append("<c:numFmt formatCode=\"#,##0.00\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/>")
        .append("<c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/><c:crossAx val=\"1\"/>")
        .append("<c:crosses val=\"min\"/><c:crossBetween val=\"midCat\"/></c:valAx></c:plotArea>")
        .append("<c:legend><c:legendPos val=\"b\"/><c:overlay val=\"0\"/></c:legend>")
        .append("<c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart></c:chartSpace>");
    return x.toString();
  }

  private static String drawingXml(int n, int col1, int row1, int col2, int row2, String chartRelation) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
        + "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\""
        + " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
        + " xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\""
        + " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        + "<xdr:twoCellAnchor editAs=\"twoCell\">"
        + "<xdr:from><xdr:col>" + col1 + "</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>" + row1
        + "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        + "<xdr:to><xdr:col>" + col2 + "</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>" + row2
        + "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        + "<xdr:graphicFrame macro=\"\"><xdr:nvGraphicFramePr><xdr:cNvPr id=\"" + (n + 1) + "\" name=\"Chart " + n
        + "\"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
        + "<xdr:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"" + (col2 - col1) * EMU_PER_COLUMN + "\" cy=\""
        + (row2 - row1) * EMU_PER_ROW + "\"/></xdr:xfrm>"
        + "<a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\">"
        + "<c:chart r:id=\"" + chartRelation + "\"/></a:graphicData></a:graphic></xdr:graphicFrame>"
        + "<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>";
  }

  /** Rows 2..lastRow of one column of the series' sheet, as an absolute reference. */
  private static String range(Series s, int column) {
    String col = CellReference.convertNumToColString(column);
    return "'" + s.sheetName().replace("'", "''") + "'!$" + col + "$2:$" + col + "$" + Math.max(2, s.lastRow());
  }
}
