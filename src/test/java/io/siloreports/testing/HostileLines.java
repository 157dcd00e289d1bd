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
        "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 0.123456789012345}");
    k.put("ok: four-byte characters in an extra field", "{\"silo_id\": 7, \"ts\": \"2026-11-20T10:15:00Z\","
        + " \"value\": 12.5, \"note\": \"\uD83D\uDE00\"}");
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
