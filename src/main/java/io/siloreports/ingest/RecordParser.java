package io.siloreports.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.siloreports.model.Times;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one raw JSON line, or the fields of one CSV row, into a typed record or a bad-record reason. Longer than most
 * files: every validation rule and its reason is here once, with the streaming JSON reader the stream's speed
 * needs beside the tree reader it must equal ({@code RecordParserPathsTest}). Pure Java,
 * shared by the stream, the report's hot read and the backfill so all of them accept exactly the same records:
 * both forms go through the same checks (missing field, wrong type, unknown record type, non-finite or
 * out-of-range value, absurd timestamp), in the same order, with the same reasons.
 */
public final class RecordParser {
  public static final Set<String> RECORD_TYPES = Set.of("items", "scoreResults", "tasks", "evaluations");
  /** Readings keep this many decimals while aggregating; rounding to 2 happens only on output. */
  public static final int VALUE_SCALE = 10;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private RecordParser() {}

  /** The JSON reader's factory, for {@link ReadingBytes}: the same features as every other path here. */
  static com.fasterxml.jackson.core.JsonFactory jsonFactory() {
    return JSON.getFactory();
  }

  /** A silo reading, or the reason it is bad; {@code ts} is kept when it parsed, for the quarantine. */
  public record Reading(Integer siloId, Instant ts, BigDecimal value, String error) {}

  /** An activity event, or the reason it is bad. */
  public record Event(String recordType, String accountId, Instant ts, String error) {}

  public static Reading parseReading(String line, ValidationRules rules, Instant now) {
    line = withoutByteOrderMark(line);
    Reading common = commonReading(line, rules, now);
    return common != null ? common : treeReading(line, rules, now);
  }

  /**
   * A file saved with a UTF-8 byte order mark starts its first line with U+FEFF: it is not part of the record (the
   * quarantine, if the line ends there, keeps the line as it came). A CSV header is compared without it too.
   */
  static String withoutByteOrderMark(String line) {
    return line != null && !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  /** Every line through a JSON tree: the reference for every reason (and for the common path, in tests). */
  static Reading treeReading(String line, ValidationRules rules, Instant now) {
    JsonNode root;
    try {
      root = readObject(line);
    } catch (BadRecord e) {
      return new Reading(null, null, null, e.getMessage());
    }
    try {
      JsonNode id = field(root, "silo_id");
      int siloId = id.canConvertToInt() && id.isIntegralNumber() && id.intValue() >= 0 ? id.intValue()
          : siloId(id.isIntegralNumber() ? id.bigIntegerValue() : null, id.toString());
      Instant ts = timestamp(text(root, "ts"), rules, now);
      BigDecimal value = value(root, rules);
      return new Reading(siloId, ts, value, null);
    } catch (BadRecord e) {
      return new Reading(null, timestampHint(root), null, e.getMessage());
    }
  }

  /**
   * A silo reading from its fields as text (a CSV row), validated by the same rules as a JSON line: a null or
   * empty field is missing, a silo_id that is not a non-negative integer or a value that is not a number is a
   * wrong type, {@code NaN}/{@code Infinity} and out-of-range values are non-finite, and timestamps are judged
   * as for JSON. Fields are taken as given (the caller trims them).
   */
  public static Reading parseReadingFields(
      String siloId, String ts, String value, ValidationRules rules, Instant now) {
    try {
      String id = required("silo_id", siloId);
      int silo = siloId(id.matches("[+-]?\\d+") ? new BigInteger(id) : null, id);
      Instant t = timestamp(required("ts", ts), rules, now);
      BigDecimal v = value(required("value", value), rules);
      return new Reading(silo, t, v, null);
    } catch (BadRecord e) {
      return new Reading(null, timestampHint(ts), null, e.getMessage());
    }
  }

  public static Event parseEvent(String line, ValidationRules rules, Instant now) {
    line = withoutByteOrderMark(line);
    Event common = commonEvent(line, rules, now);
    return common != null ? common : treeEvent(line, rules, now);
  }

  static Event treeEvent(String line, ValidationRules rules, Instant now) {
    JsonNode root;
    try {
      root = readObject(line);
    } catch (BadRecord e) {
      return new Event(null, null, null, e.getMessage());
    }
    try {
      String type = recordType(text(root, "record_type"));
      String account = accountId(text(root, "account_id"), rules);
      return new Event(type, account, timestamp(text(root, "ts"), rules, now), null);
    } catch (BadRecord e) {
      return new Event(null, null, timestampHint(root), e.getMessage());
    }
  }

  /** An activity event from its fields as text (a CSV row), validated like {@link #parseEvent}. */
  public static Event parseEventFields(
      String recordType, String accountId, String ts, ValidationRules rules, Instant now) {
    try {
      String type = recordType(required("record_type", recordType));
      String account = accountId(required("account_id", accountId), rules);
      return new Event(type, account, timestamp(required("ts", ts), rules, now), null);
    } catch (BadRecord e) {
      return new Event(null, null, timestampHint(ts), e.getMessage());
    }
  }

  /**
   * The common valid reading, read with Jackson's streaming parser instead of a tree (about twice as fast, and the
   * stream parses every line): one object whose {@code silo_id} is a non-negative int, {@code ts} a string and
   * {@code value} a finite number, each once, passing every rule. Null for anything else, which the tree path then
   * judges, so a bad line's reason and a duplicated field's handling never depend on which path read it.
   */
  private static Reading commonReading(String line, ValidationRules rules, Instant now) {
    if (line == null) {
      return null;
    }
    try (JsonParser p = JSON.getFactory().createParser(line)) {
      DecimalFields fields = new DecimalFields();
      if (!fields.read(p)) {
        return null;
      }
      return new Reading(fields.siloId(), timestamp(fields.ts(), rules, now),
          inRange(fields.value, fields.value::toString, rules), null);
    } catch (BadRecord | java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** The fields' walk keeping the value as Jackson's {@code BigDecimal}. */
  private static final class DecimalFields extends ReadingFields {
    BigDecimal value;

    @Override
    boolean value(JsonParser p) throws java.io.IOException {
      value = p.getDecimalValue();
      return true;
    }
  }

  /** The common valid event, as {@link #commonReading} reads readings; null for anything else. */
  private static Event commonEvent(String line, ValidationRules rules, Instant now) {
    if (line == null) {
      return null;
    }
    try (JsonParser p = JSON.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String type = null;
      String account = null;
      String ts = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("record_type") || name.equals("account_id") || name.equals("ts")) {
          if (v != JsonToken.VALUE_STRING) {
            return null;
          }
          String text = p.getText();
          switch (name) {
            case "record_type" -> type = type == null ? text : null;
            case "account_id" -> account = account == null ? text : null;
            default -> ts = ts == null ? text : null;
          }
          if (text == null || (name.equals("record_type") ? type : name.equals("account_id") ? account : ts) == null) {
            return null; // a field given twice
          }
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null || type == null || account == null || ts == null) {
        return null;
      }
      return new Event(recordType(type), accountId(account, rules), timestamp(ts, rules, now), null);
    } catch (BadRecord | java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static JsonNode readObject(String line) throws BadRecord {
    if (line == null) {
      throw new BadRecord("unparseable: null line");
    }
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (Exception e) {
      String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      int cut = msg.indexOf('\n');
      throw new BadRecord("unparseable JSON: " + (cut > 0 ? msg.substring(0, cut) : msg));
    }
    if (root == null || !root.isObject()) {
      throw new BadRecord("unparseable: not a JSON object");
    }
    return root;
  }

  private static JsonNode field(JsonNode root, String name) throws BadRecord {
    JsonNode n = root.get(name);
    if (n == null || n.isNull()) {
      throw new BadRecord("missing field: " + name);
    }
    return n;
  }

  /** A text field (null or empty is missing). */
  private static String required(String name, String text) throws BadRecord {
    if (text == null || text.isEmpty()) {
      throw new BadRecord("missing field: " + name);
    }
    return text;
  }

  private static String text(JsonNode root, String name) throws BadRecord {
    JsonNode n = field(root, name);
    if (!n.isTextual()) {
      throw new BadRecord("wrong type: " + name + " must be a string, got " + n.getNodeType().name().toLowerCase()
          + " " + abbreviate(n.toString()));
    }
    return n.textValue();
  }

  /** @param integral the id if it is an integer at all, else null; {@code shown} is how it appeared */
  private static int siloId(BigInteger integral, String shown) throws BadRecord {
    if (integral == null || integral.signum() < 0 || integral.bitLength() > 31) {
      throw new BadRecord("wrong type: silo_id must be a non-negative integer, got " + abbreviate(shown));
    }
    return integral.intValue();
  }

  private static String recordType(String type) throws BadRecord {
    if (!RECORD_TYPES.contains(type)) {
      throw new BadRecord("unknown record_type '" + abbreviate(type) + "' (expected one of "
          + String.join(", ", RECORD_TYPES.stream().sorted().toList()) + ")");
    }
    return type;
  }

  private static String accountId(String account, ValidationRules rules) throws BadRecord {
    String problem = rules.accountIdProblem(account);
    if (problem != null) {
      throw new BadRecord(problem);
    }
    return account;
  }

  private static Instant timestamp(String text, ValidationRules rules, Instant now) throws BadRecord {
    Instant ts;
    try {
      ts = Times.parseInstant(text);
    } catch (DateTimeParseException e) {
      throw new BadRecord("absurd timestamp: '" + abbreviate(text) + "' is not an ISO-8601 instant");
    }
    String problem = rules.timestampProblem(ts, now);
    if (problem != null) {
      throw new BadRecord(problem);
    }
    return ts;
  }

  /** The record's time if it has a readable one, kept with a bad record so the quarantine can be searched by time. */
  private static Instant timestampHint(JsonNode root) {
    JsonNode n = root.get("ts");
    return n == null || !n.isTextual() ? null : timestampHint(n.textValue());
  }

  private static Instant timestampHint(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Times.parseInstant(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static BigDecimal value(JsonNode root, ValidationRules rules) throws BadRecord {
    JsonNode n = field(root, "value");
    if (!n.isNumber()) {
      throw new BadRecord("wrong type: value must be a number, got " + n.getNodeType().name().toLowerCase()
          + " " + abbreviate(n.toString()));
    }
    if (n.isDouble() || n.isFloat()) {
      double d = n.doubleValue();
      if (!Double.isFinite(d)) {
        throw new BadRecord("non-finite value: " + d);
      }
    }
    BigDecimal v;
    try {
      v = n.decimalValue();
    } catch (NumberFormatException e) {
      throw new BadRecord("non-finite value: " + abbreviate(n.toString()));
    }
    return inRange(v, n::toString, rules);
  }

  /** A value written as text: a decimal number, or one of the non-finite spellings JSON lines may carry. */
  private static BigDecimal value(String text, ValidationRules rules) throws BadRecord {
    if (NON_FINITE.matcher(text).matches()) {
      throw new BadRecord("non-finite value: " + abbreviate(text));
    }
    if (!DECIMAL.matcher(text).matches()) {
      throw new BadRecord("wrong type: value must be a number, got " + abbreviate(text));
    }
    BigDecimal v;
    try {
      v = new BigDecimal(text);
    } catch (NumberFormatException e) { // an exponent beyond int range
      throw new BadRecord("non-finite value: " + abbreviate(text));
    }
    return inRange(v, () -> text, rules);
  }

  private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** {@code shown}: how the value appeared, only needed for the reason (rendering a JSON node costs as much as parsing). */
  private static BigDecimal inRange(BigDecimal v, java.util.function.Supplier<String> shown, ValidationRules rules)
      throws BadRecord {
    if (v.abs().compareTo(rules.maxAbsValue()) >= 0) {
      throw new BadRecord("non-finite value: " + abbreviate(shown.get()) + " is out of range (|value| < "
          + rules.maxAbsValue().toPlainString() + ")");
    }
    return v.setScale(VALUE_SCALE, RoundingMode.HALF_UP);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static final class BadRecord extends Exception {
    BadRecord(String reason) {
      super(reason, null, false, false);
    }
  }

}
