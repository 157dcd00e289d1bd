package io.siloreports.testing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostile reading lines every input path is tried with (the stream's micro-batch, the file source, Kafka): one
 * list, so the tables of docs/reliability.md name the same kinds for each path.
 */
public final class HostileLines {
  private HostileLines() {}

  public static final Instant TEN_FIFTEEN = Instant.parse("2026-11-20T10:15:00Z");
  public static final Instant WITH_NANOS = Instant.parse("2026-11-20T10:15:00.123456789Z");
  public static final String NOT_AN_OBJECT = "unparseable: not a JSON object";
  public static final String NOT_ISO = "' is not an ISO-8601 instant";
  /** How each quarantined reading's reason starts (what docs/reliability.md says of it). */
  public static final Map<String, String> READING_REASONS = Map.ofEntries(
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
  public static final Map<String, String> EVENT_REASONS = Map.ofEntries(
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
  public static final Map<String, List<Object>> READING_VALUES = Map.ofEntries(
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
  public static final Map<String, List<Object>> EVENT_VALUES = Map.ofEntries(
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

  /** Kind -> line; a kind whose name starts with "ok:" is accepted by a rule, every other one is bad. */
  public static Map<String, String> readingKinds() {
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
        "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 0.12345678905}");
    k.put("ok: four-byte characters in an extra field", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\","
        + " \"value\": 12.5, \"note\": \"\uD83D\uDE00\"}");
    k.put("ok: whitespace around", "   " + valid + "\t ");
    return k;
  }

  /** Kind -> line of the activity-events pipeline, marked like {@link #readingKinds}. */
  public static Map<String, String> eventKinds() {
    String valid = "{\"record_type\": \"items\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T10:15:00Z\"}";
    Map<String, String> k = new LinkedHashMap<>();
    k.put("truncated object", valid.substring(0, 30));
    k.put("not JSON at all", "items by acc-1 at ten");
    k.put("JSON array", "[\"items\", \"acc-1\", \"2026-11-20T10:15:00Z\"]");
    k.put("JSON string", "\"items\"");
    k.put("JSON null", "null");
    k.put("two objects on a line", valid + valid);
    k.put("trailing comma", valid.replace("}", ",}"));
    k.put("single quotes", valid.replace('"', '\''));
    k.put("missing record_type", "{\"account_id\": \"acc-1\", \"ts\": \"2026-11-20T10:15:00Z\"}");
    k.put("missing account_id", "{\"record_type\": \"items\", \"ts\": \"2026-11-20T10:15:00Z\"}");
    k.put("missing ts", "{\"record_type\": \"items\", \"account_id\": \"acc-1\"}");
    k.put("empty object", "{}");
    k.put("null record_type", valid.replace("\"items\"", "null"));
    k.put("null account_id", valid.replace("\"acc-1\"", "null"));
    k.put("record_type unknown", valid.replace("items", "orders"));
    k.put("record_type in another case", valid.replace("items", "Items"));
    k.put("record_type with a space", valid.replace("items", "items "));
    k.put("record_type empty", valid.replace("items", ""));
    k.put("record_type as number", valid.replace("\"items\"", "1"));
    k.put("record_type as array", valid.replace("\"items\"", "[\"items\"]"));
    k.put("record_type SQL", valid.replace("items", "items'; DROP TABLE bucket_counts; --"));
    k.put("account_id as number", valid.replace("\"acc-1\"", "42"));
    k.put("account_id as object", valid.replace("\"acc-1\"", "{\"id\": 1}"));
    k.put("account_id empty", valid.replace("acc-1", ""));
    k.put("account_id blank", valid.replace("acc-1", "   "));
    k.put("account_id ending in a space", valid.replace("acc-1", "acc-1 "));
    k.put("account_id too long", valid.replace("acc-1", "a".repeat(300)));
    k.put("account_id an unpaired surrogate (JSON escape)", valid.replace("acc-1", "acc-\\uD800"));
    k.put("ts as number", valid.replace("\"2026-11-20T10:15:00Z\"", "1763633700"));
    k.put("ts empty", valid.replace("2026-11-20T10:15:00Z", ""));
    k.put("ts not a date", valid.replace("2026-11-20T10:15:00Z", "yesterday"));
    k.put("ts impossible date", valid.replace("2026-11-20T10:15:00Z", "2026-02-30T10:00:00Z"));
    k.put("ts before 2000", valid.replace("2026-11-20T10:15:00Z", "1999-12-31T23:59:59Z"));
    k.put("ts far future", valid.replace("2026-11-20T10:15:00Z", "2027-01-01T00:00:00Z"));
    k.put("NUL byte inside", valid.replace("acc-1", "acc\u00001"));
    k.put("very long truncated line", valid.replace("}", ", \"pad\": \"" + "x".repeat(2_000_000)));
    k.put("deeply nested", "{\"record_type\": \"items\", \"x\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}");
    k.put("ok: byte order mark before the object", "\uFEFF" + valid);
    k.put("ok: fields in another order",
        "{\"ts\": \"2026-11-20T10:15:00Z\", \"account_id\": \"acc-1\", \"record_type\": \"items\"}");
    k.put("ok: unknown extra field", valid.replace("}", ", \"source\": \"app\"}"));
    k.put("ok: duplicated field, the last one counts", valid.replace("{", "{\"record_type\": \"tasks\", "));
    k.put("ok: each record type", valid.replace("items", "scoreResults"));
    k.put("ok: account_id with four-byte characters and accents", valid.replace("acc-1", "\u00c4cc-\uD83D\uDE00"));
    k.put("ok: account_id with a leading space (kept as a distinct account)", valid.replace("acc-1", " acc-1"));
    k.put("ok: account_id of the longest allowed length (128)", valid.replace("acc-1", "a".repeat(128)));
    k.put("ok: offset time", valid.replace("2026-11-20T10:15:00Z", "2026-11-20T12:15:00+02:00"));
    k.put("ok: nanoseconds", valid.replace("2026-11-20T10:15:00Z", "2026-11-20T10:15:00.123456789Z"));
    k.put("ok: whitespace around", "   " + valid + "\t ");
    return k;
  }

  /** Whether a kind of {@link #readingKinds} is accepted by a rule (its name starts with "ok:"). */
  public static boolean accepted(String kind) {
    return kind.startsWith("ok:");
  }

  /** A kind's name for a table: without its "ok:" mark. */
  public static String label(String kind) {
    return kind.replace("ok: ", "");
  }
}
