package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.model.Pipeline;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Hostile lines of every kind in one micro-batch, among valid ones: each is either accepted by a documented rule or
 * quarantined with a reason, the batch never fails, and merged + bad = the lines that are records (blank lines are
 * not records). The kinds and what happens to them are the table in docs/reliability.md.
 */
class HostileInputTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private final SparkSession spark = LocalSpark.get();

  /** Kind -> line; a kind whose name starts with "ok:" is accepted by a rule, every other one is bad. */
  static Map<String, String> readingKinds() {
    String valid = "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}";
    Map<String, String> k = new LinkedHashMap<>();
    k.put("truncated object", valid.substring(0, 30));
    k.put("not JSON at all", "silo 7 at ten: 12.5");
    k.put("JSON array", "[7, \"2026-11-20T10:15:00Z\", 12.5]");
    k.put("JSON string", "\"hello\"");
    k.put("JSON number", "42");
    k.put("JSON null", "null");
    k.put("two objects on a line", valid + valid);
    k.put("trailing comma", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5,}");
    k.put("single quotes", "{'silo_id': 7, 'ts': '2026-11-20T10:15:00Z', 'value': 12.5}");
    k.put("missing silo_id", "{\"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("missing ts", "{\"silo_id\": 7, \"value\": 12.5}");
    k.put("missing value", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\"}");
    k.put("null value", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": null}");
    k.put("empty object", "{}");
    k.put("silo_id as string", "{\"silo_id\": \"7\", \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("silo_id fractional", "{\"silo_id\": 7.5, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("silo_id negative", "{\"silo_id\": -7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("silo_id beyond int", "{\"silo_id\": 2147483648, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("silo_id huge", "{\"silo_id\": 1" + "0".repeat(400) + ", \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 1}");
    k.put("value as string", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": \"12.5\"}");
    k.put("value boolean", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": true}");
    k.put("value object", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": {\"v\": 1}}");
    k.put("value NaN", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": NaN}");
    k.put("value Infinity", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": -Infinity}");
    k.put("value out of range", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 1e10}");
    k.put("value exponent beyond int", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 1e9999999999}");
    k.put("ts as number", "{\"silo_id\": 7, \"ts\": 1763633700, \"value\": 12.5}");
    k.put("ts empty", "{\"silo_id\": 7, \"ts\": \"\", \"value\": 12.5}");
    k.put("ts not a date", "{\"silo_id\": 7, \"ts\": \"yesterday\", \"value\": 12.5}");
    k.put("ts impossible date", "{\"silo_id\": 7, \"ts\": \"2026-02-30T10:00:00Z\", \"value\": 12.5}");
    k.put("ts hour 24", "{\"silo_id\": 7, \"ts\": \"2026-11-20T24:00:00Z\", \"value\": 12.5}");
    k.put("ts before 2000", "{\"silo_id\": 7, \"ts\": \"1999-12-31T23:59:59Z\", \"value\": 12.5}");
    k.put("ts far future", "{\"silo_id\": 7, \"ts\": \"2027-01-01T00:00:00Z\", \"value\": 12.5}");
    k.put("ts epoch millis text", "{\"silo_id\": 7, \"ts\": \"1763633700000\", \"value\": 12.5}");
    k.put("NUL byte inside", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\u0000\", \"value\": 12.5}");
    k.put("invalid UTF-8 (replacement char)", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:\uFFFD5:00Z\", \"value\": 1}");
    k.put("very long truncated line", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5, \"pad\": \""
        + "x".repeat(2_000_000) + "\"");
    k.put("deeply nested", "{\"silo_id\": 7, \"x\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    k.put("ok: byte order mark before the object (a file saved with one)", "\uFEFF" + valid);
    k.put("ok: fields in another order", "{\"value\": 12.5, \"ts\": \"2026-11-20T10:15:00Z\", \"silo_id\": 7}");
    k.put("ok: unknown extra field", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5, \"unit\": \"t\"}");
    k.put("ok: duplicated field, the last one counts",
        "{\"silo_id\": 1, \"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12.5}");
    k.put("ok: offset time", "{\"silo_id\": 7, \"ts\": \"2026-11-20T12:15:00+02:00\", \"value\": 12.5}");
    k.put("ok: space for T, no zone (UTC)", "{\"silo_id\": 7, \"ts\": \"2026-11-20 10:15:00\", \"value\": 12.5}");
    k.put("ok: nanoseconds", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00.123456789Z\", \"value\": 12.5}");
    k.put("ok: integer value", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 12}");
    k.put("ok: exponent value", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 1.25E1}");
    k.put("ok: more than 10 decimals (rounded HALF_UP to 10)",
        "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 0.123456789012345}");
    k.put("ok: four-byte characters in an extra field", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\","
        + " \"value\": 12.5, \"note\": \"\uD83D\uDE00\"}");
    k.put("ok: whitespace around", "   " + valid + "\t ");
    return k;
  }

  @Test
  void everyKindIsAcceptedByARuleOrQuarantinedWithAReasonAndTheCountsAddUp() {
    Map<String, String> kinds = readingKinds();
    List<String> lines = new ArrayList<>(kinds.values());
    lines.add("");          // blank lines are not records
    lines.add("   \t ");
    BatchPass pass = new BatchPass(Pipeline.SILO_READINGS, TestRules.DEFAULTS, NOW, 3, null, null, null, Map.of());
    BatchPass.Result r = pass.run(spark, Rows.lines(spark, lines).repartition(3));

    long records = kinds.size();
    assertEquals(records, r.counts().merged() + r.counts().bad(), "every record merged or quarantined once");
    List<Row> quarantined = r.quarantine().collectAsList();
    assertEquals(r.counts().bad(), quarantined.size());
    Map<String, String> reasonByLine = new LinkedHashMap<>();
    quarantined.forEach(q -> reasonByLine.put(q.getString(5), q.getString(3)));
    List<String> wrong = new ArrayList<>();
    kinds.forEach((kind, line) -> {
      boolean ok = kind.startsWith("ok:");
      String reason = reasonByLine.get(line);
      if (ok == (reason != null)) {
        wrong.add(kind + " -> " + (reason == null ? "merged" : reason));
      }
      if (reason != null) {
        assertFalse(reason.isBlank(), kind);
        assertTrue(reason.length() < 600, kind + ": a reason, not a dump");
      }
    });
    assertTrue(wrong.isEmpty(), "kinds not handled by their rule: " + wrong);
    // The table of docs/reliability.md comes from this output.
    StringBuilder table = new StringBuilder("| input kind | outcome |\n|---|---|\n");
    kinds.forEach((kind, line) -> table.append("| ").append(kind.replace("ok: ", "")).append(" | ")
        .append(reasonByLine.containsKey(line)
            ? "quarantined: " + reasonByLine.get(line).replace("|", "\\|").replaceAll("\\s+", " ")
                .substring(0, Math.min(110, reasonByLine.get(line).length()))
            : "accepted").append(" |\n"));
    System.out.print(table);
    assertTrue(kinds.size() >= 40, kinds.size() + " kinds");
  }
}
