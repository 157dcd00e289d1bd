package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.testing.HostileLines;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Rows;
import io.siloreports.testing.TestRules;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Hostile lines of every kind in one micro-batch of each pipeline, among valid ones: each is either accepted by a
 * documented rule or quarantined with a reason, the batch never fails, and merged + bad = the lines that are records
 * (blank lines are not records). Each quarantined kind's reason starts as {@link HostileLines} writes down, and each
 * accepted kind is read as the values it writes down (what the aggregates then hold): the tables of
 * docs/reliability.md are these.
 */
class HostileInputTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private final SparkSession spark = LocalSpark.get();

  @Test
  void everyKindOfReadingIsAcceptedByARuleOrQuarantinedWithAReasonAndTheCountsAddUp() {
    check(Pipeline.SILO_READINGS, HostileLines.readingKinds(), HostileLines.READING_REASONS, HostileLines.READING_VALUES);
  }

  @Test
  void everyKindOfActivityEventIsAcceptedByARuleOrQuarantinedWithAReasonAndTheCountsAddUp() {
    check(Pipeline.ACTIVITY_EVENTS, HostileLines.eventKinds(), HostileLines.EVENT_REASONS, HostileLines.EVENT_VALUES);
  }

  /** An accepted line as the pipeline reads it: its own columns, times as instants, decimals as plain text. */
  private static List<Object> read(Pipeline pipeline, String line) {
    RecordFormat format = PipelineDescriptor.of(pipeline).format();
    Row r = format.fromJson(line, "test", TestRules.DEFAULTS, NOW); // a row of format.schema(), by position
    assertTrue(r.isNullAt(format.schema().fieldIndex(ParsedRecords.ERROR)), line);
    List<Object> out = new ArrayList<>();
    for (String c : format.schema().fieldNames()) {
      if (!List.of(ParsedRecords.ERROR, ParsedRecords.LINE, ParsedRecords.SOURCE).contains(c)) {
        Object v = r.get(format.schema().fieldIndex(c));
        out.add(v instanceof Timestamp t ? t.toInstant()
            : v instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : v);
      }
    }
    return out;
  }

  private void check(Pipeline pipeline, Map<String, String> kinds, Map<String, String> reasons,
      Map<String, List<Object>> values) {
    List<String> lines = new ArrayList<>(kinds.values());
    lines.add("");          // blank lines are not records
    lines.add("   \t ");
    BatchPass pass = new BatchPass(pipeline, TestRules.DEFAULTS, NOW, 3, null, null, null, Map.of());
    BatchPass.Result r = pass.run(Rows.lines(spark, lines).repartition(3));

    long records = kinds.size();
    assertEquals(records, r.counts().merged() + r.counts().bad(), "every record merged or quarantined once");
    List<Row> quarantined = r.quarantineRows();
    assertEquals(r.counts().bad(), quarantined.size());
    Map<String, String> reasonByLine = new LinkedHashMap<>();
    quarantined.forEach(q -> reasonByLine.put(q.getString(5), q.getString(3)));
    List<String> wrong = new ArrayList<>();
    kinds.forEach((kind, line) -> {
      String reason = reasonByLine.get(line);
      if (HostileLines.accepted(kind) == (reason != null)) {
        wrong.add(kind + " -> " + (reason == null ? "merged" : reason));
      }
      if (reason != null) {
        assertFalse(reason.isBlank(), kind);
        assertTrue(reason.length() < 600, kind + ": a reason, not a dump");
      }
    });
    assertTrue(wrong.isEmpty(), pipeline.id + ": kinds not handled by their rule: " + wrong);
    assertEquals(kinds.size(), reasons.size() + values.size(), "every kind has its expectation written down");
    List<String> unlike = new ArrayList<>();
    kinds.forEach((kind, line) -> {
      if (HostileLines.accepted(kind)) {
        List<Object> got = read(pipeline, line);
        if (!got.equals(values.get(kind))) {
          unlike.add(kind + ": read as " + got + ", expected " + values.get(kind));
        }
      } else if (reasons.get(kind) == null || !reasonByLine.get(line).startsWith(reasons.get(kind))) {
        unlike.add(kind + ": quarantined as '" + reasonByLine.get(line) + "', expected it to start '"
            + reasons.get(kind) + "'");
      }
    });
    assertTrue(unlike.isEmpty(), pipeline.id + ":\n" + String.join("\n", unlike));
    // The tables of docs/reliability.md come from this output.
    StringBuilder table = new StringBuilder(pipeline.id + ":\n| input kind | outcome |\n|---|---|\n");
    kinds.forEach((kind, line) -> table.append("| ").append(HostileLines.label(kind)).append(" | ")
        .append(reasonByLine.containsKey(line)
            ? "quarantined: " + reasonByLine.get(line).replace("|", "\\|").replaceAll("\\s+", " ")
                .substring(0, Math.min(110, reasonByLine.get(line).length()))
            : "accepted").append(" |\n"));
    System.out.print(table);
    assertTrue(kinds.size() >= 40, kinds.size() + " kinds");
  }
}
