package io.siloreports.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.TestRules;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming path the parser takes for common lines gives exactly what the tree path gives, on valid lines and on
 * thousands of mutated ones (duplicated, missing, retyped, truncated fields, odd numbers, trailing tokens).
 */
class RecordParserPathsTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private static final List<String> SILO = List.of("5", "0", "-3", "2147483647", "2147483648", "5.0", "\"5\"", "null",
      "1e2", "007", "[5]");
  private static final List<String> TS = List.of("\"2026-11-20T10:00:00Z\"", "\"2026-11-20T10:00:00.123456Z\"",
      "\"2026-02-30T10:00:00Z\"", "\"2026-11-20 10:00:00\"", "\"1999-01-01T00:00:00Z\"", "\"2027-01-01T00:00:00Z\"",
      "12", "null", "\"\"", "{\"a\": 1}");
  private static final List<String> VALUE = List.of("1.25", "-7", "0", "1e3", "1E-20", "NaN", "-Infinity",
      "9999999999.99", "10000000000", "\"3.5\"", "true", "null", "12345678901234567890123456789.5",
      "0.00000000005", "[1]");
  private static final List<String> TYPES = List.of("\"items\"", "\"tasks\"", "\"nope\"", "\"Items\"", "1", "null");
  private static final List<String> ACCOUNTS = List.of("\"acc-1\"", "\"\"", "\"a \"", "\"😀\"", "\"x\\u0000y\"",
      "2", "null", "\"" + "a".repeat(200) + "\"");

  private static String pick(Random rnd, List<String> options) {
    return options.get(rnd.nextInt(options.size()));
  }

  /** A line built from fields, sometimes missing one, doubling one, adding another or cutting the end. */
  static String line(Random rnd, List<String> names, List<List<String>> values) {
    StringBuilder b = new StringBuilder("{");
    int fields = 0;
    for (int i = 0; i < names.size(); i++) {
      int copies = rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(10) == 0 ? 2 : 1;
      for (int c = 0; c < copies; c++) {
        b.append(fields++ > 0 ? ", " : "").append('"').append(names.get(i)).append("\": ")
            .append(pick(rnd, values.get(i)));
      }
    }
    if (rnd.nextInt(8) == 0) {
      b.append(fields > 0 ? ", " : "").append("\"extra\": {\"nested\": [1, 2]}");
    }
    b.append('}');
    if (rnd.nextInt(15) == 0) {
      b.append(" {}");
    }
    String s = b.toString();
    return rnd.nextInt(15) == 0 ? s.substring(0, rnd.nextInt(s.length())) : s;
  }

  @Test
  void readingsReadTheSameEitherWay() {
    Random rnd = new Random(1);
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      String line = line(rnd, List.of("silo_id", "ts", "value"), List.of(SILO, TS, VALUE));
      RecordParser.Reading tree = RecordParser.treeReading(line, TestRules.DEFAULTS, NOW);
      assertEquals(tree, RecordParser.parseReading(line, TestRules.DEFAULTS, NOW), line);
      if (tree.error() == null) {
        valid++;
      }
    }
    assertTrue(valid > 300, valid + " valid lines");
  }

  @Test
  void eventsReadTheSameEitherWay() {
    Random rnd = new Random(2);
    int valid = 0;
    for (int i = 0; i < 20_000; i++) {
      String line = line(rnd, List.of("record_type", "account_id", "ts"), List.of(TYPES, ACCOUNTS, TS));
      RecordParser.Event tree = RecordParser.treeEvent(line, TestRules.DEFAULTS, NOW);
      assertEquals(tree, RecordParser.parseEvent(line, TestRules.DEFAULTS, NOW), line);
      if (tree.error() == null) {
        valid++;
      }
    }
    assertTrue(valid > 300, valid + " valid lines");
  }
}
