package io.siloreports.ingest;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.siloreports.config.Times;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Turns one raw JSON line into a typed record or a bad-record reason. Pure Java, shared by the stream, the
 * report's hot read and the backfill so all three accept exactly the same records.
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

  /** A silo reading, or the reason it is bad; {@code ts} is kept when it parsed, for the quarantine. */
  public record Reading(Integer siloId, Instant ts, BigDecimal value, String error) {}

  /** An activity event, or the reason it is bad. */
  public record Event(String recordType, String accountId, Instant ts, String error) {}

  public static Reading parseReading(String line, ValidationRules rules, Instant now) {
    JsonNode root;
    try {
      root = readObject(line);
    } catch (BadRecord e) {
      return new Reading(null, null, null, e.getMessage());
    }
    try {
      int siloId = siloId(root);
      Instant ts = timestamp(root, rules, now);
      BigDecimal value = value(root, rules);
      return new Reading(siloId, ts, value, null);
    } catch (BadRecord e) {
      return new Reading(null, timestampHint(root), null, e.getMessage());
    }
  }

  public static Event parseEvent(String line, ValidationRules rules, Instant now) {
    JsonNode root;
    try {
      root = readObject(line);
    } catch (BadRecord e) {
      return new Event(null, null, null, e.getMessage());
    }
    try {
      String type = text(root, "record_type");
      if (!RECORD_TYPES.contains(type)) {
        throw new BadRecord("unknown record_type '" + abbreviate(type) + "' (expected one of "
            + String.join(", ", RECORD_TYPES.stream().sorted().toList()) + ")");
      }
      String account = text(root, "account_id");
      if (account.isBlank()) {
        throw new BadRecord("empty field: account_id");
      }
      return new Event(type, account, timestamp(root, rules, now), null);
    } catch (BadRecord e) {
      return new Event(null, null, timestampHint(root), e.getMessage());
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

  private static String text(JsonNode root, String name) throws BadRecord {
    JsonNode n = field(root, name);
    if (!n.isTextual()) {
      throw new BadRecord("wrong type: " + name + " must be a string, got " + n.getNodeType().name().toLowerCase()
          + " " + abbreviate(n.toString()));
    }
    return n.textValue();
  }

  private static int siloId(JsonNode root) throws BadRecord {
    JsonNode n = field(root, "silo_id");
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
      throw new BadRecord("wrong type: silo_id must be a non-negative integer, got " + abbreviate(n.toString()));
    }
    return n.intValue();
  }

  private static Instant timestamp(JsonNode root, ValidationRules rules, Instant now) throws BadRecord {
    String text = text(root, "ts");
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
    if (n == null || !n.isTextual()) {
      return null;
    }
    try {
      return Times.parseInstant(n.textValue());
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
    if (v.abs().compareTo(rules.maxAbsValue()) >= 0) {
      throw new BadRecord("non-finite value: " + abbreviate(n.toString()) + " is out of range (|value| < "
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
