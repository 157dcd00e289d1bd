package io.siloreports.generate;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The text of input lines: valid ones in the documented input shape (docs/architecture.md, invariant 3), and bad ones that each have
 * exactly one defect of their {@link BadRecordKind} (so a reader can tell which check caught them).
 * Lines are built by hand, not by a JSON library, because bad ones must be written exactly as broken.
 */
final class InputLines {

  static final List<String> RECORD_TYPES = List.of("items", "scoreResults", "tasks", "evaluations");

  /** Readings carry milliseconds, events whole seconds, as in the input examples. */
  static final DateTimeFormatter READING_TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  static final DateTimeFormatter EVENT_TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter MINUTE_PREFIX =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:").withZone(ZoneOffset.UTC);

  /** Fields a real device or service adds now and then; consumers must ignore them. */
  static final List<String> EXTRA_READING_FIELDS =
      List.of("\"unit\": \"t\"", "\"quality\": \"good\"", "\"firmware\": \"2.4.1\"");

  static final List<String> EXTRA_EVENT_FIELDS = List.of("\"source\": \"web\"", "\"schema\": 2");

  private static final List<String> NON_FINITE_VALUES = List.of("NaN", "1e999", "-Infinity");
  private static final List<String> ABSURD_READING_TS =
      List.of("1970-01-01T00:00:00.000Z", "2999-12-31T23:59:59.999Z", "not-a-date");
  private static final List<String> ABSURD_EVENT_TS =
      List.of("1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "not-a-date");
  /** Not one of the four types; "Items" checks that matching is exact. */
  private static final List<String> UNKNOWN_RECORD_TYPES = List.of("widgets", "Items", "");

  private InputLines() {}

  /** "2026-11-20T14:37:" for the minute that starts at {@code epochMinute}; formatted once per minute. */
  static String minutePrefix(long epochMinute) {
    return MINUTE_PREFIX.format(Instant.ofEpochSecond(epochMinute * 60));
  }

  /** Appends {@code {"silo_id": 3, "ts": "...", "value": 71.25}} and a newline. */
  static void appendReading(
      StringBuilder out, int siloId, String minutePrefix, int millisInMinute, long cents, String extraField) {
    out.append("{\"silo_id\": ").append(siloId).append(", \"ts\": \"").append(minutePrefix);
    appendDigits(out, millisInMinute / 1000, 2).append('.');
    appendDigits(out, millisInMinute % 1000, 3).append("Z\", \"value\": ");
    appendDecimal(out, cents);
    if (extraField != null) {
      out.append(", ").append(extraField);
    }
    out.append("}\n");
  }

  /** Appends {@code {"record_type": "items", "account_id": "acc-001", "ts": "..."}} and a newline. */
  static void appendEvent(
      StringBuilder out, String recordType, String accountId, String minutePrefix, int second, String extraField) {
    out.append("{\"record_type\": \"").append(recordType)
        .append("\", \"account_id\": \"").append(accountId)
        .append("\", \"ts\": \"").append(minutePrefix);
    appendDigits(out, second, 2).append("Z\"");
    if (extraField != null) {
      out.append(", ").append(extraField);
    }
    out.append("}\n");
  }

  static String accountId(int index) {
    return String.format("acc-%03d", index + 1);
  }

  /** A reading line with one defect of {@code kind}; {@code variant} picks among that kind's forms. */
  static String badReading(BadRecordKind kind, int variant, int siloId, Instant ts, long cents) {
    String silo = "\"silo_id\": " + siloId;
    String time = "\"ts\": \"" + READING_TS.format(ts) + "\"";
    String value = "\"value\": " + decimal(cents);
    return switch (kind) {
      case UNPARSEABLE_JSON -> switch (variant % 3) {
        case 0 -> truncated(object(silo, time, value));
        case 1 -> "silo_id=" + siloId + " ts=" + READING_TS.format(ts) + " value=" + decimal(cents);
        default -> object(silo, time, "\"value\": ");
      };
      case MISSING_FIELD -> switch (variant % 4) {
        case 0 -> object(silo, time);
        case 1 -> object(silo, value);
        case 2 -> object(time, value);
        default -> object(silo, time, "\"value\": null");
      };
      case WRONG_TYPE -> switch (variant % 3) {
        case 0 -> object("\"silo_id\": \"three\"", time, value);
        case 1 -> object(silo, time, "\"value\": \"abc\"");
        default -> object(silo + ".5", time, value);
      };
      case NON_FINITE_VALUE -> object(silo, time, "\"value\": " + pick(NON_FINITE_VALUES, variant));
      case ABSURD_TIMESTAMP -> object(silo, "\"ts\": \"" + pick(ABSURD_READING_TS, variant) + "\"", value);
      case UNKNOWN_RECORD_TYPE ->
          throw new IllegalArgumentException("readings have no record type, so no " + kind.label());
    };
  }

  /** An event line with one defect of {@code kind}; {@code variant} picks among that kind's forms. */
  static String badEvent(BadRecordKind kind, int variant, String recordType, String accountId, Instant ts) {
    String type = "\"record_type\": \"" + recordType + "\"";
    String account = "\"account_id\": \"" + accountId + "\"";
    String time = "\"ts\": \"" + EVENT_TS.format(ts) + "\"";
    return switch (kind) {
      case UNPARSEABLE_JSON -> switch (variant % 3) {
        case 0 -> truncated(object(type, account, time));
        case 1 -> "record_type=" + recordType + " account_id=" + accountId + " ts=" + EVENT_TS.format(ts);
        default -> object(type, "\"account_id\": ", time);
      };
      case MISSING_FIELD -> switch (variant % 4) {
        case 0 -> object(account, time);
        case 1 -> object(type, time);
        case 2 -> object(type, account);
        default -> object(type, "\"account_id\": null", time);
      };
      case WRONG_TYPE -> switch (variant % 3) {
        // Note: Spark's JSON reader turns a number into a string for a StringType field without complaint.
        case 0 -> object(type, "\"account_id\": 123", time);
        case 1 -> object(type, account, "\"ts\": true");
        default -> object("\"record_type\": [\"" + recordType + "\"]", account, time);
      };
      case ABSURD_TIMESTAMP -> object(type, account, "\"ts\": \"" + pick(ABSURD_EVENT_TS, variant) + "\"");
      case UNKNOWN_RECORD_TYPE ->
          object("\"record_type\": \"" + pick(UNKNOWN_RECORD_TYPES, variant) + "\"", account, time);
      case NON_FINITE_VALUE ->
          throw new IllegalArgumentException("events have no numeric value, so no " + kind.label());
    };
  }

  /** 7125 -> "71.25", 7010 -> "70.10": always two decimals. */
  static String decimal(long cents) {
    return appendDecimal(new StringBuilder(), cents).toString();
  }

  private static StringBuilder appendDecimal(StringBuilder out, long cents) {
    if (cents < 0) {
      out.append('-');
      cents = -cents;
    }
    out.append(cents / 100).append('.');
    return appendDigits(out, (int) (cents % 100), 2);
  }

  private static StringBuilder appendDigits(StringBuilder out, int value, int width) {
    String digits = Integer.toString(value);
    for (int i = digits.length(); i < width; i++) {
      out.append('0');
    }
    return out.append(digits);
  }

  private static String object(String... fields) {
    return "{" + String.join(", ", fields) + "}";
  }

  /** Cut inside the last value: no closing quote or brace, as a writer killed mid-line leaves it. */
  private static String truncated(String object) {
    return object.substring(0, object.length() - 3);
  }

  private static String pick(List<String> forms, int variant) {
    return forms.get(variant % forms.size());
  }
}
