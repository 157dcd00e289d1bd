package io.siloreports.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.Aggregation;
import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.CsvRecords;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.TestRules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** What each pipeline's descriptor says, and that rows are read by the names it gives. */
class PipelineDescriptorTest {
  private static final Instant NOW = Instant.parse("2026-11-20T15:00:00Z");

  @Test
  void readingsAreParsedAsSiloReadingsAndAggregatedByHour() {
    PipelineDescriptor d = PipelineDescriptor.of(Pipeline.SILO_READINGS);
    assertSame(Pipeline.SILO_READINGS, d.pipeline());
    assertEquals(List.of("silo_id", "ts", "value", "error", "line", "source"), names(d.format().schema()));
    assertEquals(List.of("silo_id"), d.format().keyColumns());
    assertEquals("ts", d.format().eventTimeColumn());
    assertEquals(List.of("silo_id", "ts", "value"), d.format().csvColumns());

    Aggregation a = d.aggregation();
    assertEquals(List.of("silo_id", "hour_start", "sum_value", "min_value", "max_value", "record_count",
        "late_count", "revised_at"), names(a.partialSchema()));
    assertEquals(List.of("silo_id", "hour_start"), a.keyColumns());
    assertEquals("hour_start", a.timeColumn());
    assertEquals(List.of(), a.bucketMinutes());
    assertEquals("hourly", a.match("hourly", "buckets"));
    assertEquals(List.of("readings", "hours"), List.of(d.recordsNoun(), d.rowsNoun()));
  }

  @Test
  void eventsAreParsedAsActivityEventsAndCountedInFourBucketSizes() {
    PipelineDescriptor d = PipelineDescriptor.of(Pipeline.ACTIVITY_EVENTS);
    assertSame(Pipeline.ACTIVITY_EVENTS, d.pipeline());
    assertEquals(List.of("record_type", "account_id", "ts", "error", "line", "source"), names(d.format().schema()));
    assertEquals(List.of("record_type", "account_id"), d.format().keyColumns());
    assertEquals("ts", d.format().eventTimeColumn());
    assertEquals(List.of("record_type", "account_id", "ts"), d.format().csvColumns());

    Aggregation a = d.aggregation();
    assertEquals(List.of("record_type", "account_id", "bucket_minutes", "bucket_start", "record_count",
        "late_count", "revised_at"), names(a.partialSchema()));
    assertEquals(List.of("record_type", "account_id", "bucket_minutes", "bucket_start"), a.keyColumns());
    assertEquals("bucket_start", a.timeColumn());
    assertEquals(List.of(1, 5, 15, 60), a.bucketMinutes());
    assertEquals("buckets", a.match("hourly", "buckets"));
    assertEquals(List.of("events", "buckets"), List.of(d.recordsNoun(), d.rowsNoun()));
  }

  /** The stream keys refusals by a record's key columns and hour, found in the records and in the partials alike. */
  @Test
  void everyPipelineNamesColumnsItsSchemasHave() {
    for (Pipeline p : Pipeline.values()) {
      PipelineDescriptor d = PipelineDescriptor.of(p);
      assertSame(p, d.pipeline());
      StructType records = d.format().schema();
      StructType partials = d.aggregation().partialSchema();
      for (String c : List.of(d.format().eventTimeColumn(), ParsedRecords.ERROR, ParsedRecords.LINE,
          ParsedRecords.SOURCE)) {
        records.fieldIndex(c);
      }
      for (String key : d.format().keyColumns()) {
        records.fieldIndex(key);
        partials.fieldIndex(key);
      }
      d.aggregation().keyColumns().forEach(partials::fieldIndex);
      assertTrue(d.aggregation().keyColumns().contains(d.aggregation().timeColumn()), p.id);
    }
  }

  @Test
  void parsedRowsAreReadByTheirColumnNames() {
    RecordFormat readings = PipelineDescriptor.of(Pipeline.SILO_READINGS).format();
    Row r = readings.fromJson("{\"silo_id\": 3, \"ts\": \"2026-11-20T14:37:23Z\", \"value\": 71.25}", "f.jsonl",
        TestRules.DEFAULTS, NOW);
    assertNull(r.get(readings.schema().fieldIndex(ParsedRecords.ERROR)));
    assertEquals(3, r.getInt(readings.schema().fieldIndex("silo_id")));
    assertEquals(Timestamp.from(Instant.parse("2026-11-20T14:37:23Z")),
        r.getTimestamp(readings.schema().fieldIndex(readings.eventTimeColumn())));
    assertEquals(0, new BigDecimal("71.25").compareTo(r.getDecimal(readings.schema().fieldIndex("value"))));
    assertEquals("f.jsonl", r.getString(readings.schema().fieldIndex(ParsedRecords.SOURCE)));

    RecordFormat events = PipelineDescriptor.of(Pipeline.ACTIVITY_EVENTS).format();
    String bad = "{\"record_type\": \"widgets\", \"account_id\": \"a\", \"ts\": \"2026-11-20T14:00:00Z\"}";
    Row e = events.fromJson(bad, "t-0@7", TestRules.DEFAULTS, NOW);
    assertTrue(e.getString(events.schema().fieldIndex(ParsedRecords.ERROR)).startsWith("unknown record_type"));
    assertEquals(bad, e.getString(events.schema().fieldIndex(ParsedRecords.LINE)));
    assertEquals(Timestamp.from(Instant.parse("2026-11-20T14:00:00Z")),
        e.getTimestamp(events.schema().fieldIndex(events.eventTimeColumn())), "a bad record keeps its time");

    CsvRecords.Header header = CsvRecords.Header.of("ts,account_id,record_type", events);
    Row csv = events.fromCsv("2026-11-20T14:00:00Z,acc-1,tasks", header, "e.csv", TestRules.DEFAULTS, NOW);
    assertNull(csv.get(events.schema().fieldIndex(ParsedRecords.ERROR)));
    assertEquals("acc-1", csv.getString(events.schema().fieldIndex("account_id")));
  }

  /** Only the bucket counts check a batch: every bucket size counts each event once. */
  @Test
  void onlyBucketCountsCheckABatch() throws Exception {
    Aggregation hourly = PipelineDescriptor.of(Pipeline.SILO_READINGS).aggregation();
    assertTrue(hourly.check(List.of(), 5).isEmpty());

    PipelineDescriptor events = PipelineDescriptor.of(Pipeline.ACTIVITY_EVENTS);
    PartialCombiner combiner = events.aggregation().newCombiner();
    for (String ts : new String[] {"2026-11-20T14:00:00Z", "2026-11-20T14:07:00Z"}) {
      combiner.add(events.format().fromJson("{\"record_type\": \"tasks\", \"account_id\": \"a\", \"ts\": \"" + ts
          + "\"}", null, TestRules.DEFAULTS, NOW), false);
    }
    List<Row> partials = combiner.rows(null);
    Aggregation.Check held = events.aggregation().check(partials, 2).orElseThrow();
    assertTrue(held.held(), held.totals());
    assertEquals("2 events = 1-min 2 (2 buckets) = 5-min 2 (2 buckets) = 15-min 2 (1 buckets) = 60-min 2"
        + " (1 buckets)", held.totals());
    assertFalse(events.aggregation().check(partials, 3).orElseThrow().held());
  }

  /** The stream ships a pipeline's line parser to executors. */
  @Test
  void lineParsersSurviveSerialization() throws Exception {
    for (Pipeline p : Pipeline.values()) {
      ParsedRecords.LineParser parser =
          ParsedRecords.jsonLines(PipelineDescriptor.of(p).format(), TestRules.DEFAULTS, NOW);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(parser);
      }
      try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        ParsedRecords.LineParser copy = (ParsedRecords.LineParser) in.readObject();
        assertNotNull(copy.parse("{}", "x").getString(PipelineDescriptor.of(p).format().schema()
            .fieldIndex(ParsedRecords.ERROR)));
      }
    }
  }

  private static List<String> names(StructType schema) {
    return Arrays.asList(schema.fieldNames());
  }
}
