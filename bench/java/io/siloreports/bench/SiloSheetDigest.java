package io.siloreports.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.SAXParserFactory;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The cells of a workbook's silo sheets ({@code Silo <id>...}), columns A to H, as one digest per sheet, read with
 * SAX so an 8.76M-row workbook reads in constant memory. Numbers are compared as doubles (one writer may put
 * {@code 42}, another {@code 42.0}), text as text; styles are ignored. Two workbooks with the same digests hold the
 * same silo data cell for cell.
 */
public final class SiloSheetDigest {
  private SiloSheetDigest() {}

  /** Sheet name to "rows:sha256" for every silo sheet. */
  public static Map<String, String> of(Path xlsx) throws Exception {
    Map<String, String> out = new TreeMap<>();
    // A report of 1,000 silos has more parts than POI's guard against zip bombs expects.
    org.apache.poi.openxml4j.util.ZipSecureFile.setMaxFileCount(1_000_000);
    org.apache.poi.openxml4j.util.ZipSecureFile.setMaxEntrySize(Long.MAX_VALUE / 2);
    try (OPCPackage pkg = OPCPackage.open(xlsx.toFile(), PackageAccess.READ)) {
      XSSFReader reader = new XSSFReader(pkg);
      XSSFReader.SheetIterator sheets = (XSSFReader.SheetIterator) reader.getSheetsData();
      SAXParserFactory factory = SAXParserFactory.newInstance();
      factory.setNamespaceAware(false);
      while (sheets.hasNext()) {
        try (InputStream in = sheets.next()) {
          String name = sheets.getSheetName();
          if (!name.startsWith("Silo ")) {
            continue;
          }
          Cells cells = new Cells();
          factory.newSAXParser().parse(in, cells);
          out.put(name, cells.rows + ":" + HexFormat.of().formatHex(cells.digest.digest()));
        }
      }
    }
    return out;
  }

  private static final class Cells extends DefaultHandler {
    final MessageDigest digest;
    long rows;
    private String ref;
    private String type;
    private final StringBuilder text = new StringBuilder();
    private boolean inValue;

    Cells() throws Exception {
      digest = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public void startElement(String uri, String local, String qName, Attributes a) {
      switch (qName) {
        case "row" -> rows++;
        case "c" -> {
          ref = a.getValue("r");
          type = a.getValue("t");
          text.setLength(0);
        }
        case "v", "t" -> inValue = true;
        default -> { }
      }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
      if (inValue) {
        text.append(ch, start, length);
      }
    }

    @Override
    public void endElement(String uri, String local, String qName) {
      if (qName.equals("v") || qName.equals("t")) {
        inValue = false;
      } else if (qName.equals("c") && ref != null && ref.charAt(0) <= 'H' && !Character.isLetter(ref.charAt(1))) {
        String value = text.toString();
        if (type == null || type.equals("n")) {
          value = value.isEmpty() ? "" : Double.toString(Double.parseDouble(value));
        }
        digest.update((ref + "=" + value + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
