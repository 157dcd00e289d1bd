package io.siloreports.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.TestRules;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stream's read of a common reading from a line's bytes takes only lines {@link RecordParser#parseReading} finds
 * valid, and gives the same silo, time and exact value; every other line is left to that parser.
 */
class ReadingBytesTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private static final List<String> SILO = List.of("5", "0", "-3", "2147483647", "2147483648", "5.0", "\"5\"", "null",
      "1e2", "007", "[5]");
  private static final List<String> TS = List.of("\"2026-11-20T10:00:00Z\"", "\"2026-11-20T10:00:00.123456Z\"",
      "\"2026-11-20T10:59:59.999999999+00:00\"", "\"2026-02-30T10:00:00Z\"", "\"2026-11-20 10:00:00\"",
      "\"1999-01-01T00:00:00Z\"", "\"2027-01-01T00:00:00Z\"", "12", "null", "\"\"", "{\"a\": 1}");
  private static final List<String> VALUE = List.of("1.25", "-7", "0", "-0", "-0.5", "1e3", "1E-20", "NaN",
      "-Infinity", "9999999999.99", "10000000000", "99999999.9999999999", "-12345678.0000000001", "123456789.5",
      "0.12345678901", "0.00000000005", "1.", ".5", "-", "\"3.5\"", "true", "null", "12345678901234567890.5", "[1]");
  private static final List<String> NAMES = List.of("silo_id", "ts", "value");

  /** A line's bytes inside a larger array, as Spark's rows hold them. */
  private static boolean read(ReadingBytes reader, String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    byte[] padded = new byte[b.length + 7];
    java.util.Arrays.fill(padded, (byte) '{');
    System.arraycopy(b, 0, padded, 3, b.length);
    return reader.read(padded, 3, b.length);
  }

  private static void assertSameAsParser(ReadingBytes reader, String line, ValidationRules rules) {
    RecordParser.Reading parsed = RecordParser.parseReading(line, rules, NOW);
    if (read(reader, line)) {
      assertNull(parsed.error(), line);
      assertEquals(parsed.siloId(), reader.siloId(), line);
      assertEquals(parsed.ts(), reader.ts(), line);
      assertEquals(parsed.value(), BigDecimal.valueOf(reader.unscaledValue(), RecordParser.VALUE_SCALE), line);
    }
  }

  @Test
  void takesOnlyValidReadingsAndReadsThemAsTheParserDoes() {
    ReadingBytes reader = new ReadingBytes(TestRules.DEFAULTS, NOW);
    Random rnd = new Random(3);
    int fast = 0;
    int valid = 0;
    for (int i = 0; i < 30_000; i++) {
      String line = RecordParserPathsTest.line(rnd, NAMES, List.of(SILO, TS, VALUE));
      assertSameAsParser(reader, line, TestRules.DEFAULTS);
      fast += read(reader, line) ? 1 : 0;
      valid += RecordParser.parseReading(line, TestRules.DEFAULTS, NOW).error() == null ? 1 : 0;
    }
    assertTrue(fast > 300, fast + " lines read from bytes");
    assertTrue(valid > fast, valid + " valid, " + fast + " read from bytes: the odd valid forms are left to the parser");
  }

  @Test
  void leavesNonAsciiByteOrderMarkedAndSpacedLinesToTheParser() {
    ReadingBytes reader = new ReadingBytes(TestRules.DEFAULTS, NOW);
    String plain = "{\"silo_id\": 4, \"ts\": \"2026-11-20T10:00:00Z\", \"value\": 2.5}";
    assertTrue(read(reader, plain));
    assertEquals(25_000_000_000L, reader.unscaledValue());
    for (String line : List.of("\uFEFF" + plain, " " + plain, plain.replace("}", ", \"note\": \"caf\u00e9\"}"),
        plain.replace("}", ", \"note\": \"\u00ff\u0000\"}"), plain + " x", plain.substring(0, plain.length() - 1))) {
      assertFalse(read(reader, line), line);
      assertSameAsParser(reader, line, TestRules.DEFAULTS);
    }
    // bytes that are not UTF-8 are never read here (Spark's String of them has replacement characters)
    byte[] invalid = plain.replace("}", ", \"note\": \"??\"}").getBytes(StandardCharsets.US_ASCII);
    invalid[invalid.length - 4] = (byte) 0xC0;
    assertFalse(reader.read(invalid, 0, invalid.length));
  }

  @Test
  void valuesAtTheRulesBoundAreLeftToTheParser() {
    ValidationRules tight = new ValidationRules(TestRules.DEFAULTS.earliest(), Duration.ofHours(1),
        new BigDecimal("100.5"), TestRules.DEFAULTS.maxAccountIdLength());
    ReadingBytes reader = new ReadingBytes(tight, NOW);
    for (String v : List.of("100.4999999999", "-100.4999999999", "100.5", "-100.5", "100.50", "101", "1e2")) {
      String line = "{\"silo_id\": 4, \"ts\": \"2026-11-20T10:00:00Z\", \"value\": " + v + "}";
      assertSameAsParser(reader, line, tight);
      assertEquals(v.startsWith("100.4") || v.startsWith("-100.4"), read(reader, line), v);
    }
    // a bound that is no whole number at the parser's scale: every line goes to the parser
    ReadingBytes odd = new ReadingBytes(new ValidationRules(TestRules.DEFAULTS.earliest(), Duration.ofHours(1),
        new BigDecimal("100.00000000005"), TestRules.DEFAULTS.maxAccountIdLength()), NOW);
    assertFalse(read(odd, "{\"silo_id\": 4, \"ts\": \"2026-11-20T10:00:00Z\", \"value\": 1}"));
    assertEquals(Long.MAX_VALUE, ReadingBytes.maxUnscaled(new BigDecimal("10000000000")));
  }
}
