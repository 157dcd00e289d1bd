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
  private static final ValidationRules RULES = io.siloreports.testing.TestRules.DEFAULTS;

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

  // --- CSV: the same checks and reasons through RecordParser.parseReadingFields / parseEventFields ---

  private static final CsvRecords.Header READING_HEADER = CsvRecords.Header.of("silo_id,ts,value", RecordFormat.READINGS);
  private static final CsvRecords.Header EVENT_HEADER =
      CsvRecords.Header.of("record_type,account_id,ts", RecordFormat.EVENTS);

  @Test
  void aCsvRowGivesTheSameReadingAsTheJsonLine() {
    RecordParser.Reading json = RecordParser.parseReading(
        "{\"silo_id\": 3, \"ts\": \"2026-11-20T14:37:23.120Z\", \"value\": -71.123456789}", RULES, NOW);
    RecordParser.Reading csv = CsvRecords.reading("3,2026-11-20T14:37:23.120Z,-71.123456789", READING_HEADER, RULES, NOW);
    assertEquals(json, csv);
    RecordParser.Event jsonEvent = RecordParser.parseEvent(
        "{\"record_type\": \"tasks\", \"account_id\": \"acc, 7\", \"ts\": \"2026-11-20T14:37:23Z\"}", RULES, NOW);
    assertEquals(jsonEvent, CsvRecords.event("tasks,\"acc, 7\",2026-11-20T14:37:23Z", EVENT_HEADER, RULES, NOW));
  }

  @Test
  void csvColumnsAreFoundByTheirHeaderNameInAnyOrderWithQuotesSpacesAndExtraColumns() {
    CsvRecords.Header h = CsvRecords.Header.of("\uFEFF\"TS\", value ,silo_id,unit", RecordFormat.READINGS);
    assertNull(h.problem());
    RecordParser.Reading r = CsvRecords.reading("\"2026-11-20T14:37:23Z\", 71.25 ,3,\"t \"\"metric\"\"\"", h, RULES, NOW);
    assertNull(r.error());
    assertEquals(3, r.siloId());
    assertEquals(0, new BigDecimal("71.25").compareTo(r.value()));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "three,2026-11-20T14:00:00Z,1|wrong type: silo_id",
        "1.5,2026-11-20T14:00:00Z,1|wrong type: silo_id",
        "-1,2026-11-20T14:00:00Z,1|wrong type: silo_id",
        "99999999999,2026-11-20T14:00:00Z,1|wrong type: silo_id",
        "1,2026-11-20T14:00:00Z,abc|wrong type: value",
        "1,2026-11-20T14:00:00Z,1.2.3|wrong type: value",
        "1,2026-11-20T14:00:00Z,NaN|non-finite value",
        "1,2026-11-20T14:00:00Z,-Infinity|non-finite value",
        "1,2026-11-20T14:00:00Z,1e999|non-finite value",
        "1,2026-11-20T14:00:00Z,10000000000|non-finite value",
        "1,1970-01-01T00:00:00Z,1|absurd timestamp",
        "1,2999-01-01T00:00:00Z,1|absurd timestamp",
        "1,not-a-date,1|absurd timestamp",
        ",2026-11-20T14:00:00Z,1|missing field: silo_id",
        "1,2026-11-20T14:00:00Z|missing field: value",
        "1,2026-11-20T14:00:00Z,|missing field: value",
        "1|missing field: ts",
        "1,2026-11-20T14:00:00Z,1,extra|unparseable CSV",
        "\"1,2026-11-20T14:00:00Z,1|unparseable CSV",
        "1,2026-11-20T14:00:00Z,\"1\"x|unparseable CSV",
      })
  void rejectsBadCsvReadingsWithTheReasonsOfTheJsonPath(String row, String reasonStart) {
    RecordParser.Reading r = CsvRecords.reading(row, READING_HEADER, RULES, NOW);
    assertNotNull(r.error(), "expected a bad record: " + row);
    assertTrue(r.error().startsWith(reasonStart), () -> "reason '" + r.error() + "' for " + row);
    assertNull(r.value());
  }

  @Test
  void csvAndJsonGiveTheSameReasonForTheSameProblem() {
    String[][] pairs = {
      {"{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": NaN}", "1,2026-11-20T14:00:00Z,NaN"},
      {"{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": -10000000000}", "1,2026-11-20T14:00:00Z,-10000000000"},
      {"{\"silo_id\": 1, \"ts\": \"1999-12-31T23:59:59Z\", \"value\": 1}", "1,1999-12-31T23:59:59Z,1"},
      {"{\"silo_id\": 1, \"ts\": \"yesterday\", \"value\": 1}", "1,yesterday,1"},
      {"{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:00Z\"}", "1,2026-11-20T14:00:00Z"},
      {"{\"silo_id\": 12, \"ts\": \"2026-11-20T14:00:00Z\", \"value\": -0.5}", "12,2026-11-20T14:00:00Z,-0.5"},
    };
    for (String[] p : pairs) {
      RecordParser.Reading json = RecordParser.parseReading(p[0], RULES, NOW);
      RecordParser.Reading csv = CsvRecords.reading(p[1], READING_HEADER, RULES, NOW);
      assertEquals(json, csv, p[1]);
    }
    assertEquals(
        RecordParser.parseEvent("{\"record_type\": \"widgets\", \"account_id\": \"a\", \"ts\": \"2026-11-20T14:00:00Z\"}",
            RULES, NOW),
        CsvRecords.event("widgets,a,2026-11-20T14:00:00Z", EVENT_HEADER, RULES, NOW));
  }

  @Test
  void badCsvEventsAndAHeaderWithoutARequiredColumn() {
    RecordParser.Event unknown = CsvRecords.event("widgets,acc-1,2026-11-20T14:00:00Z", EVENT_HEADER, RULES, NOW);
    assertTrue(unknown.error().startsWith("unknown record_type 'widgets'"), unknown.error());
    assertEquals(Instant.parse("2026-11-20T14:00:00Z"), unknown.ts(), "a bad row keeps its readable time");
    assertTrue(CsvRecords.event("items,,2026-11-20T14:00:00Z", EVENT_HEADER, RULES, NOW).error()
        .startsWith("missing field: account_id"));
    assertTrue(CsvRecords.event("items,acc-1", EVENT_HEADER, RULES, NOW).error().startsWith("missing field: ts"));

    CsvRecords.Header noValue = CsvRecords.Header.of("silo_id,ts,reading", RecordFormat.READINGS);
    assertNotNull(noValue.problem());
    RecordParser.Reading r = CsvRecords.reading("1,2026-11-20T14:00:00Z,5", noValue, RULES, NOW);
    assertTrue(r.error().startsWith("missing field: value (not in the CSV header 'silo_id,ts,reading'"), r.error());
  }
}
