package io.siloreports.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordParserTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final ValidationRules RULES = ValidationRules.DEFAULT;

  @Test
  void parsesAValidReadingKeepingFullPrecisionAndIgnoringExtraFields() {
    RecordParser.Reading r =
        RecordParser.parseReading(
            "{\"silo_id\": 3, \"ts\": \"2026-11-20T14:37:23.120Z\", \"value\": 71.123456789, \"unit\": \"t\"}",
            RULES, NOW);
    assertNull(r.error());
    assertEquals(3, r.siloId());
    assertEquals(Instant.parse("2026-11-20T14:37:23.120Z"), r.ts());
    assertEquals(0, new BigDecimal("71.123456789").compareTo(r.value()));
  }

  @Test
  void readsOffsetsAndZonelessTimestampsAsUtcInstants() {
    assertEquals(Instant.parse("2026-11-20T12:37:23Z"),
        RecordParser.parseReading("{\"silo_id\":1,\"ts\":\"2026-11-20T14:37:23+02:00\",\"value\":1}", RULES, NOW).ts());
    assertEquals(Instant.parse("2026-11-20T14:37:23Z"),
        RecordParser.parseReading("{\"silo_id\":1,\"ts\":\"2026-11-20 14:37:23\",\"value\":-1.5}", RULES, NOW).ts());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|unparseable JSON",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\"|unparseable JSON",
        "[1,2,3]|unparseable: not a JSON object",
        "{\"ts\": \"2026-11-20T14:00:00Z\", \"value\": 1}|missing field: silo_id",
        "{\"silo_id\": 1, \"value\": 1}|missing field: ts",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\"}|missing field: value",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": null}|missing field: value",
        "{\"silo_id\": \"three\", \"ts\": \"2026-11-20T14:00:00Z\", \"value\": 1}|wrong type: silo_id",
        "{\"silo_id\": 1.5, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": 1}|wrong type: silo_id",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": \"abc\"}|wrong type: value",
        "{\"silo_id\": 1, \"ts\": 1763647200, \"value\": 1}|wrong type: ts",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": NaN}|non-finite value",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": Infinity}|non-finite value",
        "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": 1e999}|non-finite value",
        "{\"silo_id\": 1, \"ts\": \"1970-01-01T00:00:00Z\", \"value\": 1}|absurd timestamp",
        "{\"silo_id\": 1, \"ts\": \"2999-01-01T00:00:00Z\", \"value\": 1}|absurd timestamp",
        "{\"silo_id\": 1, \"ts\": \"not-a-date\", \"value\": 1}|absurd timestamp",
      })
  void rejectsBadReadingsWithTheirReason(String line, String reasonStart) {
    RecordParser.Reading r = RecordParser.parseReading(line, RULES, NOW);
    assertNotNull(r.error(), "expected a bad record: " + line);
    assertTrue(r.error().startsWith(reasonStart), () -> "reason '" + r.error() + "' for " + line);
    assertNull(r.value());
  }

  @Test
  void acceptsATimestampJustInsideTheFutureSkewAndRejectsOneJustOutside() {
    Instant edge = NOW.plus(RULES.maxFutureSkew());
    assertNull(RecordParser.parseReading(
        "{\"silo_id\":1,\"ts\":\"" + edge + "\",\"value\":1}", RULES, NOW).error());
    assertNotNull(RecordParser.parseReading(
        "{\"silo_id\":1,\"ts\":\"" + edge.plusMillis(1) + "\",\"value\":1}", RULES, NOW).error());
  }

  @Test
  void parsesEventsAndRejectsUnknownRecordTypes() {
    RecordParser.Event ok = RecordParser.parseEvent(
        "{\"record_type\": \"scoreResults\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T14:37:23Z\"}", RULES, NOW);
    assertNull(ok.error());
    assertEquals("scoreResults", ok.recordType());
    RecordParser.Event bad = RecordParser.parseEvent(
        "{\"record_type\": \"widgets\", \"account_id\": \"acc-1\", \"ts\": \"2026-11-20T14:37:23Z\"}", RULES, NOW);
    assertTrue(bad.error().startsWith("unknown record_type 'widgets'"), bad.error());
    assertEquals(Instant.parse("2026-11-20T14:37:23Z"), bad.ts(), "a bad event keeps its parsed time when it has one");
    assertTrue(RecordParser.parseEvent(
        "{\"record_type\": \"items\", \"ts\": \"2026-11-20T14:37:23Z\"}", RULES, NOW).error()
        .startsWith("missing field: account_id"));
  }
}
