package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.testing.HostileLines;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestRules;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Hostile lines of every kind in one micro-batch of each pipeline, among valid ones: each is either accepted by a
 * documented rule or quarantined with a reason, the batch never fails, and merged + bad = the lines that are records
 * (blank lines are not records). Each quarantined kind's reason starts as written below, and each accepted kind is
 * read as the values written below (what the aggregates then hold): the tables of docs/reliability.md are these.
 */
class HostileInputTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private static final Instant TEN_FIFTEEN = Instant.parse("2026-11-20T10:15:00Z");
  private static final Instant WITH_NANOS = Instant.parse("2026-11-20T10:15:00.123456789Z");
  private static final String NOT_AN_OBJECT = "unparseable: not a JSON object";
  private static final String NOT_ISO = "' is not an ISO-8601 instant";
  private final SparkSession spark = LocalSpark.get();

  /** How each quarantined reading's reason starts (what docs/reliability.md says of it). */
  private static final Map<String, String> READING_REASONS = Map.ofEntries(
      Map.entry("truncated object", "unparseable JSON: Unexpected end-of-input"),
      Map.entry("not JSON at all", "unparseable JSON: Unrecognized token 'silo'"),
      Map.entry("JSON array", NOT_AN_OBJECT),
      Map.entry("JSON string", NOT_AN_OBJECT),
      Map.entry("JSON number", NOT_AN_OBJECT),
      Map.entry("JSON null", NOT_AN_OBJECT),
      Map.entry("two objects on a line", "unparseable JSON: Trailing token"),
      Map.entry("trailing comma", "unparseable JSON: Unexpected character ('}'"),
      Map.entry("single quotes", "unparseable JSON: Unexpected character ('''"),
      Map.entry("missing silo_id", "missing field: silo_id"),
      Map.entry("missing ts", "missing field: ts"),
      Map.entry("missing value", "missing field: value"),
      Map.entry("null value", "missing field: value"),
      Map.entry("empty object", "missing field: silo_id"),
      Map.entry("silo_id as string", "wrong type: silo_id must be a non-negative integer, got \"7\""),
      Map.entry("silo_id fractional", "wrong type: silo_id must be a non-negative integer, got 7.5"),
      Map.entry("silo_id negative", "wrong type: silo_id must be a non-negative integer, got -7"),
      Map.entry("silo_id beyond int", "wrong type: silo_id must be a non-negative integer, got 2147483648"),
      Map.entry("silo_id huge", "wrong type: silo_id must be a non-negative integer, got 1000"),
      Map.entry("value as string", "wrong type: value must be a number, got string"),
      Map.entry("value boolean", "wrong type: value must be a number, got boolean"),
      Map.entry("value object", "wrong type: value must be a number, got object"),
      Map.entry("value NaN", "non-finite value: NaN"),
      Map.entry("value Infinity", "non-finite value: -Infinity"),
      Map.entry("value out of range", "non-finite value: 1E+10 is out of range"),
      Map.entry("value exponent beyond int", "non-finite value: Infinity"),
      Map.entry("ts as number", "wrong type: ts must be a string, got number"),
      Map.entry("ts empty", "absurd timestamp: '" + NOT_ISO),
      Map.entry("ts not a date", "absurd timestamp: 'yesterday" + NOT_ISO),
      Map.entry("ts impossible date", "absurd timestamp: '2026-02-30T10:00:00Z" + NOT_ISO),
      Map.entry("ts hour 24", "absurd timestamp: '2026-11-20T24:00:00Z" + NOT_ISO),
      Map.entry("ts before 2000", "absurd timestamp: 1999-12-31T23:59:59Z is before 2000-01-01T00:00:00Z"),
      Map.entry("ts far future", "absurd timestamp: 2027-01-01T00:00:00Z is more than PT1H after processing time"),
      Map.entry("ts epoch millis text", "absurd timestamp: '1763633700000" + NOT_ISO),
      Map.entry("NUL byte inside", "unparseable JSON: Illegal unquoted character ((CTRL-CHAR, code 0))"),
      Map.entry("invalid UTF-8 (replacement char)", "absurd timestamp: '2026-11-20T10:\uFFFD5:00Z" + NOT_ISO),
      Map.entry("very long truncated line", "unparseable JSON: Unexpected end-of-input"),
      Map.entry("deeply nested", "unparseable JSON: Depth (1001) exceeds the maximum allowed nesting depth (1000)"));

  /** How each quarantined event's reason starts. */
  private static final Map<String, String> EVENT_REASONS = Map.ofEntries(
      Map.entry("truncated object", "unparseable JSON: Unexpected end-of-input"),
      Map.entry("not JSON at all", "unparseable JSON: Unrecognized token 'items'"),
      Map.entry("JSON array", NOT_AN_OBJECT),
      Map.entry("JSON string", NOT_AN_OBJECT),
      Map.entry("JSON null", NOT_AN_OBJECT),
      Map.entry("two objects on a line", "unparseable JSON: Trailing token"),
      Map.entry("trailing comma", "unparseable JSON: Unexpected character ('}'"),
      Map.entry("single quotes", "unparseable JSON: Unexpected character ('''"),
      Map.entry("missing record_type", "missing field: record_type"),
      Map.entry("missing account_id", "missing field: account_id"),
      Map.entry("missing ts", "missing field: ts"),
      Map.entry("empty object", "missing field: record_type"),
      Map.entry("null record_type", "missing field: record_type"),
      Map.entry("null account_id", "missing field: account_id"),
      Map.entry("record_type unknown", "unknown record_type 'orders' (expected one of evaluations, items,"),
      Map.entry("record_type in another case", "unknown record_type 'Items'"),
      Map.entry("record_type with a space", "unknown record_type 'items '"),
      Map.entry("record_type empty", "unknown record_type ''"),
      Map.entry("record_type as number", "wrong type: record_type must be a string, got number"),
      Map.entry("record_type as array", "wrong type: record_type must be a string, got array"),
      Map.entry("record_type SQL", "unknown record_type 'items'; DROP TABLE bucket_counts; --'"),
      Map.entry("account_id as number", "wrong type: account_id must be a string, got number"),
      Map.entry("account_id as object", "wrong type: account_id must be a string, got object"),
      Map.entry("account_id empty", "empty field: account_id"),
      Map.entry("account_id blank", "empty field: account_id"),
      Map.entry("account_id ending in a space", "account_id ends with a space"),
      Map.entry("account_id too long", "account_id too long: 300 characters (at most 128)"),
      Map.entry("account_id an unpaired surrogate (JSON escape)",
          "account_id is not valid Unicode: an unpaired surrogate"),
      Map.entry("ts as number", "wrong type: ts must be a string, got number"),
      Map.entry("ts empty", "absurd timestamp: '" + NOT_ISO),
      Map.entry("ts not a date", "absurd timestamp: 'yesterday" + NOT_ISO),
      Map.entry("ts impossible date", "absurd timestamp: '2026-02-30T10:00:00Z" + NOT_ISO),
      Map.entry("ts before 2000", "absurd timestamp: 1999-12-31T23:59:59Z is before 2000-01-01T00:00:00Z"),
      Map.entry("ts far future", "absurd timestamp: 2027-01-01T00:00:00Z is more than PT1H after processing time"),
      Map.entry("NUL byte inside", "unparseable JSON: Illegal unquoted character ((CTRL-CHAR, code 0))"),
      Map.entry("very long truncated line", "unparseable JSON: Unexpected end-of-input"),
      Map.entry("deeply nested", "unparseable JSON: Depth (1001) exceeds the maximum allowed nesting depth (1000)"));

  /** What each accepted reading is read as: silo, time, value (exact; trailing zeros of its scale of 10 dropped). */
  private static final Map<String, List<Object>> READING_VALUES = Map.ofEntries(
      Map.entry("ok: byte order mark before the object (a file saved with one)", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: fields in another order", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: unknown extra field", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: duplicated field, the last one counts", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: offset time", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: space for T, no zone (UTC)", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: nanoseconds", List.of(7, WITH_NANOS, "12.5")),
      Map.entry("ok: integer value", List.of(7, TEN_FIFTEEN, "12")),
      Map.entry("ok: exponent value", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: more than 10 decimals (rounded HALF_UP to 10)", List.of(7, TEN_FIFTEEN, "0.1234567891")),
      Map.entry("ok: four-byte characters in an extra field", List.of(7, TEN_FIFTEEN, "12.5")),
      Map.entry("ok: whitespace around", List.of(7, TEN_FIFTEEN, "12.5")));

  /** What each accepted event is read as: record type, account, time. */
  private static final Map<String, List<Object>> EVENT_VALUES = Map.ofEntries(
      Map.entry("ok: byte order mark before the object", List.of("items", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: fields in another order", List.of("items", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: unknown extra field", List.of("items", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: duplicated field, the last one counts", List.of("items", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: each record type", List.of("scoreResults", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: account_id with four-byte characters and accents",
          List.of("items", "\u00c4cc-\uD83D\uDE00", TEN_FIFTEEN)),
      Map.entry("ok: account_id with a leading space (kept as a distinct account)",
          List.of("items", " acc-1", TEN_FIFTEEN)),
      Map.entry("ok: account_id of the longest allowed length (128)", List.of("items", "a".repeat(128), TEN_FIFTEEN)),
      Map.entry("ok: offset time", List.of("items", "acc-1", TEN_FIFTEEN)),
      Map.entry("ok: nanoseconds", List.of("items", "acc-1", WITH_NANOS)),
      Map.entry("ok: whitespace around", List.of("items", "acc-1", TEN_FIFTEEN)));

  @Test
  void everyKindOfReadingIsAcceptedByARuleOrQuarantinedWithAReasonAndTheCountsAddUp() {
    check(Pipeline.SILO_READINGS, HostileLines.readingKinds(), READING_REASONS, READING_VALUES);
  }

  @Test
  void everyKindOfActivityEventIsAcceptedByARuleOrQuarantinedWithAReasonAndTheCountsAddUp() {
    check(Pipeline.ACTIVITY_EVENTS, HostileLines.eventKinds(), EVENT_REASONS, EVENT_VALUES);
  }

  /** An accepted line as the pipeline reads it: its own columns, times as instants, decimals as plain text. */
  private static List<Object> read(Pipeline pipeline, String line) {
    RecordFormat format = PipelineDescriptor.of(pipeline).format();
    Row r = format.fromJson(line, "test", TestRules.DEFAULTS, NOW); // a row of format.schema(), by position
    assertTrue(r.isNullAt(format.schema().fieldIndex(ParsedRecords.ERROR)), line);
    List<Object> out = new ArrayList<>();
    for (String c : format.schema().fieldNames()) {
      if (!List.of(ParsedRecords.ERROR, ParsedRecords.LINE, ParsedRecords.SOURCE).contains(c)) {
        Object v = r.get(format.schema().fieldIndex(c));
        out.add(v instanceof Timestamp t ? t.toInstant()
            : v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : v);
      }
    }
    return out;
  }

  private void check(Pipeline pipeline, Map<String, String> kinds, Map<String, String> reasons,
      Map<String, List<Object>> values) {
    List<String> lines = new ArrayList<>(kinds.values());
    lines.add("");          // blank lines are not records
    lines.add("   \t ");
    BatchPass pass = new BatchPass(pipeline, TestRules.DEFAULTS, NOW, 3, null, null, null, Map.of());
    BatchPass.Result r = pass.run(spark, Rows.lines(spark, lines).repartition(3));

    long records = kinds.size();
    assertEquals(records, r.counts().merged() + r.counts().bad(), "every record merged or quarantined once");
    List<Row> quarantined = r.quarantine().collectAsList();
    assertEquals(r.counts().bad(), quarantined.size());
    Map<String, String> reasonByLine = new LinkedHashMap<>();
    quarantined.forEach(q -> reasonByLine.put(q.getString(5), q.getString(3)));
    List<String> wrong = new ArrayList<>();
    kinds.forEach((kind, line) -> {
      String reason = reasonByLine.get(line);
      if (HostileLines.accepted(kind) == (reason != null)) {
        wrong.add(kind + " -> " + (reason == null ? "merged" : reason));
      }
      if (reason != null) {
        assertFalse(reason.isBlank(), kind);
        assertTrue(reason.length() < 600, kind + ": a reason, not a dump");
      }
    });
    assertTrue(wrong.isEmpty(), pipeline.id + ": kinds not handled by their rule: " + wrong);
    assertEquals(kinds.size(), reasons.size() + values.size(), "every kind has its expectation written down");
    List<String> unlike = new ArrayList<>();
    kinds.forEach((kind, line) -> {
      if (HostileLines.accepted(kind)) {
        List<Object> got = read(pipeline, line);
        if (!got.equals(values.get(kind))) {
          unlike.add(kind + ": read as " + got + ", expected " + values.get(kind));
        }
      } else if (reasons.get(kind) == null || !reasonByLine.get(line).startsWith(reasons.get(kind))) {
        unlike.add(kind + ": quarantined as '" + reasonByLine.get(line) + "', expected it to start '"
            + reasons.get(kind) + "'");
      }
    });
    assertTrue(unlike.isEmpty(), pipeline.id + ":\n" + String.join("\n", unlike));
    // The tables of docs/reliability.md come from this output.
    StringBuilder table = new StringBuilder(pipeline.id + ":\n| input kind | outcome |\n|---|---|\n");
    kinds.forEach((kind, line) -> table.append("| ").append(HostileLines.label(kind)).append(" | ")
        .append(reasonByLine.containsKey(line)
            ? "quarantined: " + reasonByLine.get(line).replace("|", "\\|").replaceAll("\\s+", " ")
                .substring(0, Math.min(110, reasonByLine.get(line).length()))
            : "accepted").append(" |\n"));
    System.out.print(table);
    assertTrue(kinds.size() >= 40, kinds.size() + " kinds");
  }
}
