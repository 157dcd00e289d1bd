package io.siloreports.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.BackfillConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile CSV through the backfill (the CSV path: {@code ingest.CsvRecords} in {@code BackfillJob}), into MariaDB:
 * 40+ kinds of rows and files (column counts, quotes, separators and newlines inside fields, BOM, numbers, time
 * stamps, encodings, empty and header-only files, headers that lack a column, gzip). Each row is accepted by a rule of
 * {@code CsvRecords} or quarantined with a reason; the backfill never fails; records + bad = the rows, as a plain loop
 * counts them (non-blank lines, less each file's header line when the header names the columns).
 */
class HostileCsvBackfillIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  /** A kind of input: the file it is in, its rows (one physical line each, or more), accepted or not. */
  private record Kind(String name, String file, List<String> lines, boolean accepted) {}

  private static final String HEADER = "silo_id,ts,value";

  private static String ts(int minute) {
    return String.format("2026-11-20T10:%02d:00Z", minute);
  }

  private static List<Kind> rowKinds() {
    List<Kind> k = new ArrayList<>();
    int[] m = {0};
    java.util.function.BiConsumer<String, String> bad = (name, line) -> k.add(new Kind(name, "rows.csv",
        List.of(line), false));
    java.util.function.BiConsumer<String, String> ok = (name, line) -> k.add(new Kind(name, "rows.csv",
        List.of(line), true));
    ok.accept("plain row", "7," + ts(++m[0]) + ",12.5");
    ok.accept("quoted fields", "\"7\",\"" + ts(++m[0]) + "\",\"12.5\"");
    ok.accept("spaces around fields", " 7 , " + ts(++m[0]) + " ,  12.5 ");
    ok.accept("offset time", "7,2026-11-20T12:" + String.format("%02d", ++m[0]) + ":00+02:00,12.5");
    ok.accept("space for T, no zone (UTC)", "7,2026-11-20 10:" + String.format("%02d", ++m[0]) + ":00,12.5");
    ok.accept("exponent value", "7," + ts(++m[0]) + ",1.25E1");
    ok.accept("integer value", "7," + ts(++m[0]) + ",12");
    ok.accept("negative value", "7," + ts(++m[0]) + ",-3.5");
    ok.accept("more than 10 decimals (rounded HALF_UP to 10)", "7," + ts(++m[0]) + ",0.123456789012345");
    ok.accept("nanoseconds", "7,2026-11-20T10:" + String.format("%02d", ++m[0]) + ":00.123456789Z,12.5");
    ok.accept("a row ending in CRLF among LF rows", "7," + ts(++m[0]) + ",12.5\r");
    ok.accept("the header again in the middle (files concatenated): a line equal to the header is not a row",
        HEADER);
    bad.accept("too few columns", "7," + ts(++m[0]));
    bad.accept("one field only", "7");
    bad.accept("too many columns", "7," + ts(++m[0]) + ",12.5,extra");
    bad.accept("trailing separator", "7," + ts(++m[0]) + ",12.5,");
    bad.accept("only separators", ",,");
    bad.accept("unterminated quote", "7,\"" + ts(++m[0]) + ",12.5");
    bad.accept("quote inside an unquoted field", "7," + ts(++m[0]) + ",12\"5");
    bad.accept("text after a closing quote", "7,\"" + ts(++m[0]) + "\"x,12.5");
    k.add(new Kind("newline inside a quoted field (two physical lines)", "rows.csv",
        List.of("7,\"2026-11-20", "T10:" + String.format("%02d", ++m[0]) + ":00Z\",12.5"), false));
    bad.accept("separator inside a quoted number", "7," + ts(++m[0]) + ",\"12,5\"");
    bad.accept("decimal comma unquoted", "7," + ts(++m[0]) + ",12,5");
    bad.accept("semicolon separated", "7;" + ts(++m[0]) + ";12.5");
    bad.accept("tab separated", "7\t" + ts(++m[0]) + "\t12.5");
    bad.accept("silo_id not a number", "x," + ts(++m[0]) + ",12.5");
    bad.accept("silo_id negative", "-7," + ts(++m[0]) + ",12.5");
    bad.accept("silo_id fractional", "7.5," + ts(++m[0]) + ",12.5");
    bad.accept("silo_id beyond int", "2147483648," + ts(++m[0]) + ",12.5");
    bad.accept("silo_id empty", "," + ts(++m[0]) + ",12.5");
    bad.accept("value not a number", "7," + ts(++m[0]) + ",abc");
    bad.accept("value with a unit", "7," + ts(++m[0]) + ",12.5t");
    bad.accept("value hexadecimal", "7," + ts(++m[0]) + ",0x1F");
    bad.accept("value with thousands separator (quoted)", "7," + ts(++m[0]) + ",\"1,234.5\"");
    bad.accept("value NaN", "7," + ts(++m[0]) + ",NaN");
    bad.accept("value Infinity", "7," + ts(++m[0]) + ",-Infinity");
    bad.accept("value out of range", "7," + ts(++m[0]) + ",1e10");
    bad.accept("value empty", "7," + ts(++m[0]) + ",");
    bad.accept("value quoted empty", "7," + ts(++m[0]) + ",\"\"");
    bad.accept("ts empty", "7,,12.5");
    bad.accept("ts not a date", "7,yesterday,12.51");
    bad.accept("ts impossible date", "7,2026-02-30T10:00:00Z,12.52");
    bad.accept("ts hour 24", "7,2026-11-20T24:00:00Z,12.53");
    bad.accept("ts epoch seconds", "7,1763633700,12.54");
    ok.accept("ts a date alone (midnight UTC)", "7,2026-11-20,12.55");
    bad.accept("ts day first", "7,20/11/2026 10:15,12.56");
    bad.accept("NUL byte in a field", "7," + ts(++m[0]) + ",12\u00005");
    bad.accept("very long field (1 MB)", "7," + ts(++m[0]) + "," + "9".repeat(1_000_000));
    return k;
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  @Test
  void everyRowIsAcceptedByARuleOrQuarantinedWithAReasonAndTheBackfillNeverFails() throws Exception {
    long t0 = System.nanoTime();
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword()), true);
    Path dir = tmp.resolve("csv/silo-readings");

    List<Kind> kinds = rowKinds();
    // Files whose shape is the kind; a file's header line is a row only when it does not name the columns.
    kinds.add(new Kind("empty file", "empty.csv", List.of(), true));
    kinds.add(new Kind("header only", "header-only.csv", List.of(HEADER), true));
    kinds.add(new Kind("byte order mark before the header", "bom.csv",
        List.of("\uFEFF" + HEADER, "8," + ts(50) + ",1.5"), true));
    kinds.add(new Kind("CRLF line ends", "crlf.csv", List.of(HEADER + "\r", "8," + ts(51) + ",1.5\r"), true));
    kinds.add(new Kind("columns in another order, quoted header, extra columns with quotes and separators",
        "other-order.csv", List.of("\"ts\",\"note\",\"value\",\"silo_id\"",
            ts(52) + ",\"says \"\"hi\"\", twice\",1.5,8"), true));
    kinds.add(new Kind("header in capitals with spaces", "capitals.csv",
        List.of("SILO_ID , Ts,VALUE", "8," + ts(53) + ",1.5"), true));
    kinds.add(new Kind("a column named twice (the first counts)", "duplicate-column.csv",
        List.of("silo_id,ts,value,value", "8," + ts(54) + ",1.5,oops"), true));
    kinds.add(new Kind("no final newline", "no-final-newline.csv", List.of(HEADER, "8," + ts(55) + ",1.5"), true));
    kinds.add(new Kind("header lacks a column (every line, header included, quarantined)", "missing-column.csv",
        List.of("silo_id,value", "8,1.5", "9,2.5"), false));
    kinds.add(new Kind("no header (every line quarantined)", "no-header.csv",
        List.of("8," + ts(56) + ",1.5", "9," + ts(56) + ",2.5"), false));
    kinds.add(new Kind("gzip-compressed (.csv.gz)", "compressed.csv.gz", List.of(HEADER, "8," + ts(57) + ",1.5"),
        true));

    // Write each file: header first where the kinds of rows.csv share one.
    Map<String, List<String>> files = new LinkedHashMap<>();
    files.put("rows.csv", new ArrayList<>(List.of(HEADER)));
    for (Kind k : kinds) {
      files.computeIfAbsent(k.file(), f -> new ArrayList<>()).addAll(k.lines());
    }
    files.get("rows.csv").add(""); // a blank line is not a row
    files.get("rows.csv").add("   ");
    Map<String, Boolean> headerNamesColumns = new HashMap<>();
    for (Map.Entry<String, List<String>> f : files.entrySet()) {
      String name = f.getKey();
      List<String> lines = f.getValue();
      String text = String.join("\n", lines) + (name.equals("no-final-newline.csv") || lines.isEmpty() ? "" : "\n");
      InputFiles.writeBytes(dir, name, name.endsWith(".gz") ? gzip(text) : text.getBytes(StandardCharsets.UTF_8));
      headerNamesColumns.put(name, !name.equals("missing-column.csv") && !name.equals("no-header.csv"));
    }
    // raw invalid UTF-8 in the value, its own file (bytes, not text)
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes((HEADER + "\n8," + ts(58) + ",1.").getBytes(StandardCharsets.UTF_8));
    raw.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
    raw.writeBytes("\n".getBytes(StandardCharsets.UTF_8));
    InputFiles.writeBytes(dir, "invalid-utf8.csv", raw.toByteArray());
    kinds.add(new Kind("raw invalid UTF-8 bytes in the value", "invalid-utf8.csv", List.of("8," + ts(58) + ",1.\uFFFD("),
        false));
    headerNamesColumns.put("invalid-utf8.csv", true);

    // The independent count: non-blank lines, less a header that names the columns.
    long rows = 0;
    for (Map.Entry<String, List<String>> f : files.entrySet()) {
      List<String> lines = f.getValue();
      boolean named = headerNamesColumns.get(f.getKey());
      for (String line : lines) {
        rows += line.isBlank() || named && line.equals(lines.get(0)) ? 0 : 1;
      }
    }
    rows += 1; // invalid-utf8.csv

    Map<String, String> m = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    m.put("db.migrate-on-start", "false");
    m.put("input.dir", tmp.resolve("csv").toString());
    m.put("backfill.format", "csv");
    m.put("backfill.pipelines", "silo-readings");
    m.put("backfill.from", "2026-11-20T00:00:00Z");
    m.put("backfill.to", "2026-11-21T00:00:00Z");
    m.put("backfill.force", "true"); // no stream ran: no finalized hours
    BackfillJob.Result r = Wiring.backfill(BackfillConfig.from(Settings.of(m)), spark, CLOCK).run().results().get(0);

    Map<String, String> reasonByLine = new HashMap<>();
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT line, reason FROM quarantine WHERE batch_id = -1")) {
      while (rs.next()) {
        reasonByLine.put(rs.getString(1), rs.getString(2));
      }
    }
    StringBuilder table = new StringBuilder("| CSV kind | file | outcome |\n|---|---|---|\n");
    List<String> wrong = new ArrayList<>();
    for (Kind k : kinds) {
      List<String> reasons = new ArrayList<>();
      int considered = 0;
      List<String> fileLines = files.getOrDefault(k.file(), List.of());
      for (String line : k.lines()) {
        boolean isHeader = headerNamesColumns.get(k.file()) && !fileLines.isEmpty() && line.equals(fileLines.get(0));
        if (line.isBlank() || isHeader) {
          continue;
        }
        considered++;
        String stored = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        String reason = reasonByLine.get(stored);
        if (reason == null && stored.length() > 1000) { // the quarantine keeps the start of a very long line
          reason = reasonByLine.entrySet().stream().filter(e -> e.getKey().length() > 100
              && stored.startsWith(e.getKey().substring(0, 100))).map(Map.Entry::getValue).findFirst().orElse(null);
        }
        if (reason != null) {
          reasons.add(reason.replace("|", "\\|").replaceAll("\\s+", " ").substring(0, Math.min(110, reason.length())));
        }
      }
      boolean ok = k.accepted() ? reasons.isEmpty() : reasons.size() == considered && considered > 0;
      if (!ok) {
        wrong.add(k.name() + " -> " + (reasons.isEmpty() ? "accepted" : reasons));
      }
      table.append("| ").append(k.name()).append(" | `").append(k.file()).append("` | ")
          .append(considered == 0 ? "no rows, nothing quarantined" : reasons.isEmpty() ? "accepted"
              : "quarantined: " + (reasons.stream().distinct().count() == 1 && reasons.size() > 1
                  ? reasons.get(0) + " (each of its " + reasons.size() + " lines)" : String.join("; ", reasons)))
          .append(" |\n");
    }
    System.out.print(table);
    System.out.printf("CSV kinds=%d rows=%d records=%d bad=%d (without a time stamp %d) by reason %s seconds=%d%n",
        kinds.size(), rows, r.records(), r.bad(), r.untimedBad(), r.badByReason(),
        (System.nanoTime() - t0) / 1_000_000_000);
    assertTrue(wrong.isEmpty(), "kinds not handled by their rule: " + wrong);
    assertEquals(rows, r.records() + r.bad(), "every row counted: records + bad");
    assertEquals(r.bad(), reasonByLine.size(), "every bad row quarantined once");
    assertTrue(r.skippedChunks().isEmpty());
    assertTrue(kinds.size() >= 40, kinds.size() + " kinds");
  }
}
