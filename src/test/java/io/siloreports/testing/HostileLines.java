package io.siloreports.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hostile reading lines every input path is tried with (the stream's micro-batch, the file source, Kafka): one
 * list, so the tables of docs/reliability.md name the same kinds for each path.
 */
public final class HostileLines {
  private HostileLines() {}

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
