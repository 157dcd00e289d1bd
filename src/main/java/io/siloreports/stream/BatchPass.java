package io.siloreports.stream;

import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.ReadingBytes;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.store.Quarantine;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One pass over a micro-batch's raw lines: inside each partition every line is parsed, validated, classified
 * against the committed progress (bad, refused by the store, too late, merged, late) and merged records are
 * combined per key ({@link PartialCombiner}, a map-side combine of the monoid). A partition sends on only its
 * combiner (in its compact serialized form), its quarantine rows and its counts; the driver merges the combiners of
 * all partitions. No copy of the raw batch is kept, nothing is shuffled, and nothing but partials and quarantined
 * lines leaves a partition, so the cost is one parse per line plus a hash-map update.
 *
 * <p>Pure (no store, no configuration): the classification is its fields, set by {@link MicroBatchAggregator}.
 * Longer than most files: the common reading's lean path from a line's bytes sits beside the general one it must
 * equal, and the quarantine's second pass shares their classification.
 */
final class BatchPass implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

  /** Quarantine rows a partition sends with its partials; beyond this they are read by a second pass. */
  static final int INLINE_QUARANTINE = 2_000;

  private final Pipeline pipeline;
  private final ValidationRules rules;
  private final Instant now;
  private final long batchId;
  /** Hours before this are final: records for them are late (null: none final yet). */
  private final Instant finalizedBefore;
  /** Hours before this are closed for revision: records for them are too late (null: none closed). */
  private final Instant horizon;
  /** Why hours before {@link #horizon} are closed, for the quarantine's reason. */
  private final String tooLateWhy;
  /** Hour keys ({@link HourKeys}) whose aggregate rows the store refused, with its reason. */
  private final Map<String, String> refused;

  BatchPass(Pipeline pipeline, ValidationRules rules, Instant now, long batchId, Instant finalizedBefore,
      Instant horizon, String tooLateWhy, Map<String, String> refused) {
    this.pipeline = pipeline;
    this.rules = rules;
    this.now = now;
    this.batchId = batchId;
    this.finalizedBefore = finalizedBefore;
    this.horizon = horizon;
    this.tooLateWhy = tooLateWhy;
    this.refused = Map.copyOf(refused);
  }

  /** The counts of a batch, summed over its partitions. */
  record Counts(long merged, long bad, long late, long tooLate, Instant maxEventTime) {}

  /**
   * What the pass gives the driver: the quarantine rows either in memory ({@code inlineQuarantine}, when every
   * partition's fit in what it sends) or as the second pass over the batch ({@code quarantinePass}); the other is null.
   */
  record Result(List<Row> partials, Counts counts, List<Row> inlineQuarantine, Dataset<Row> quarantinePass) {
    /** Every quarantine row, in memory (for tests and small batches). */
    List<Row> quarantineRows() {
      return inlineQuarantine != null ? inlineQuarantine : quarantinePass.collectAsList();
    }
  }

  /**
   * Runs the pass over {@code lines} (columns {@code line}, {@code source}): one Spark job over the batch's internal
   * rows (no conversion of each line to a {@code Row} and back, no encoders to generate) brings each partition's
   * combiner, counts and quarantine rows to the driver. A partition sends at most {@value #INLINE_QUARANTINE}
   * quarantine rows; when one had more, the quarantine is read by a second pass over the batch (the same
   * classification, rows streamed to the store) rather than held in the driver's memory.
   */
  Result run(Dataset<Row> lines) {
    Dataset<Row> selected = lines.select(ParsedRecords.LINE, ParsedRecords.SOURCE);
    FlatMapFunction<Iterator<InternalRow>, Partition> fn = rows -> List.of(combine(rows)).iterator();
    PartialCombiner combiner = PipelineDescriptor.of(pipeline).aggregation().newCombiner();
    List<Row> quarantined = new ArrayList<>();
    long merged = 0;
    long bad = 0;
    long late = 0;
    long tooLate = 0;
    long inline = 0;
    Instant maxTs = null;
    for (Partition p : selected.queryExecution().toRdd().toJavaRDD().mapPartitions(fn).collect()) {
      combiner.mergeAll(p.combiner());
      quarantined.addAll(p.quarantined());
      merged += p.merged();
      bad += p.bad();
      late += p.late();
      tooLate += p.tooLate();
      inline += p.quarantined().size();
      if (p.maxTs() != null && (maxTs == null || p.maxTs().isAfter(maxTs))) {
        maxTs = p.maxTs();
      }
    }
    Dataset<Row> secondPass = null;
    if (inline != bad + tooLate) {
      quarantined = null;
      MapPartitionsFunction<Row, Row> again = rows -> quarantineOnly(rows);
      secondPass = selected.mapPartitions(again, Encoders.row(Quarantine.SCHEMA));
    }
    // The partitions' combiners leave revised_at unset; a key with late records is revised now.
    return new Result(combiner.rows(now), new Counts(merged, bad, late, tooLate, maxTs), quarantined, secondPass);
  }

  /** What one partition sends the driver: its combined records, its first quarantine rows and its counts. */
  record Partition(PartialCombiner combiner, List<Row> quarantined, long merged, long bad, long late, long tooLate,
      Instant maxTs) implements Serializable {}

  /**
   * The hour a record or a partial row belongs to, with its key: the record format's key columns (silo; type and
   * account) and the hour of the row's time, read by positions resolved once per schema. Every bucket of an event
   * lies in its hour, so refusing one bucket refuses the hour's events.
   */
  record HourKeys(int[] keys, int time) {
    /** For parsed records: the key columns and the event time. */
    static HourKeys ofRecords(PipelineDescriptor d) {
      return of(d.format().schema(), d.format().keyColumns(), d.format().eventTimeColumn());
    }

    /** For partial rows: the same key columns and the partial's time. */
    static HourKeys ofPartials(PipelineDescriptor d) {
      return of(d.aggregation().partialSchema(), d.format().keyColumns(), d.aggregation().timeColumn());
    }

    private static HourKeys of(StructType schema, List<String> keyColumns, String timeColumn) {
      return new HourKeys(keyColumns.stream().mapToInt(schema::fieldIndex).toArray(), schema.fieldIndex(timeColumn));
    }

    String of(Row row) {
      StringBuilder key = new StringBuilder();
      for (int k : keys) {
        key.append(row.get(k)).append('\u0000');
      }
      return key.append(hourStart(row.getTimestamp(time).getTime())).toString();
    }
  }

  private static long hourStart(long millis) {
    return Math.floorDiv(millis, 3_600_000L) * 3_600_000L;
  }

  /** One partition of the combining pass: every line classified, merged records combined. */
  Partition combine(Iterator<InternalRow> rows) {
    Classifier c = new Classifier(true);
    UTF8String lastSource = null;
    String source = null;
    while (rows.hasNext()) {
      InternalRow in = rows.next();
      if (in.isNullAt(0)) {
        continue;
      }
      // Lines of one file come together: decode its name once, not per line (the row is reused, hence the clone).
      UTF8String s = in.isNullAt(1) ? null : in.getUTF8String(1);
      if (s == null ? lastSource != null || source != null : !s.equals(lastSource)) {
        lastSource = s == null ? null : s.clone();
        source = s == null ? null : s.toString();
      }
      UTF8String line = in.getUTF8String(0);
      if (!c.acceptCommonReading(line)) {
        c.accept(line.toString(), source);
      }
    }
    return new Partition(c.combiner, c.quarantined, c.merged, c.bad, c.late, c.tooLate, c.maxTs);
  }

  /** One partition of the second pass: only its quarantine rows, all of them ({@link Quarantine#SCHEMA}). */
  Iterator<Row> quarantineOnly(Iterator<Row> lines) {
    Classifier c = new Classifier(false);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        while (c.quarantined.isEmpty() && lines.hasNext()) {
          Row in = lines.next();
          c.accept(in.getString(0), in.getString(1));
        }
        return !c.quarantined.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return c.quarantined.remove(c.quarantined.size() - 1);
      }
    };
  }

  /**
   * Classifies lines one at a time (bad, refused by the store, too late, merged, late). {@code combine}: merged
   * records go to its combiner and at most {@value #INLINE_QUARANTINE} quarantine rows are kept; else only quarantine
   * rows are made, every one.
   */
  private final class Classifier {
    private final boolean combine;
    private final PipelineDescriptor descriptor = PipelineDescriptor.of(pipeline);
    private final ParsedRecords.LineParser parser = ParsedRecords.jsonLines(descriptor.format(), rules, now);
    private final PartialCombiner combiner = descriptor.aggregation().newCombiner();
    private final HourKeys hourKeys = HourKeys.ofRecords(descriptor);
    private final int errorAt;
    private final int lineAt;
    private final int sourceAt;
    private final int timeAt = hourKeys.time();
    private final Timestamp quarantinedAt = Timestamp.from(now);
    private final long finalMillis = finalizedBefore == null ? Long.MIN_VALUE : finalizedBefore.toEpochMilli();
    private final long horizonMillis = horizon == null ? Long.MIN_VALUE : horizon.toEpochMilli();
    private final List<Row> quarantined = new ArrayList<>();
    /**
     * Readings merged straight from a line's bytes while no hour is refused by the store: the common line's path, with
     * no {@code String}, row or {@code BigDecimal} made for it.
     */
    private final ReadingBytes common;
    private long merged;
    private long bad;
    private long late;
    private long tooLate;
    private Instant maxTs;

    Classifier(boolean combine) {
      this.combine = combine;
      StructType parsed = descriptor.format().schema();
      errorAt = parsed.fieldIndex(ParsedRecords.ERROR);
      lineAt = parsed.fieldIndex(ParsedRecords.LINE);
      sourceAt = parsed.fieldIndex(ParsedRecords.SOURCE);
      common = combine && descriptor.format() == RecordFormat.READINGS && refused.isEmpty()
          ? new ReadingBytes(rules, now) : null;
    }

    /**
     * Merges {@code line} if it is a common valid reading ({@link ReadingBytes}); false, with nothing counted, for
     * any other line, which {@link #accept} then judges. A merged reading ends as {@link #accept} would end it.
     */
    boolean acceptCommonReading(UTF8String line) {
      if (common == null) {
        return false;
      }
      boolean read = line.getBaseObject() instanceof byte[] bytes
          ? common.read(bytes, (int) (line.getBaseOffset() - Platform.BYTE_ARRAY_OFFSET), line.numBytes())
          : common.read(line.getBytes(), 0, line.numBytes());
      Instant ts = common.ts();
      long hour = read ? Math.floorDiv(ts.toEpochMilli(), 3_600_000L) : 0;
      if (!read || hour * 3_600_000L < horizonMillis) { // too late: judged and quarantined by accept
        return false;
      }
      merged(ts, hour * 3_600_000L);
      combiner.addReading(common.siloId(), hour, common.unscaledValue(), hour * 3_600_000L < finalMillis);
      return true;
    }

    /** Counts a merged record of {@code hourStart} and its time. */
    private void merged(Instant ts, long hourStart) {
      merged++;
      if (hourStart < finalMillis) {
        late++;
      }
      if (maxTs == null || ts.isAfter(maxTs)) {
        maxTs = ts;
      }
    }

    void accept(String line, String source) {
      if (line == null || line.isBlank()) {
        return;
      }
      Row r = parser.parse(line, source);
      String error = r.getString(errorAt);
      if (error != null) {
        bad++;
        quarantine(r, Quarantine.BAD, error);
        return;
      }
      String refusal = refused.isEmpty() ? null : refused.get(hourKeys.of(r));
      Timestamp ts = r.getTimestamp(timeAt);
      long hour = hourStart(ts.getTime());
      if (refusal != null) {
        bad++;
        quarantine(r, Quarantine.BAD, "refused by the store: " + refusal);
      } else if (hour < horizonMillis) {
        tooLate++;
        quarantine(r, Quarantine.TOO_LATE,
            "too late: hour " + HOUR.format(Instant.ofEpochMilli(hour)) + ": " + tooLateWhy);
      } else if (combine) {
        combiner.add(r, hour < finalMillis);
        merged(ts.toInstant(), hour);
      }
    }

    private void quarantine(Row r, String kind, String reason) {
      if (combine && quarantined.size() >= INLINE_QUARANTINE) {
        return;
      }
      quarantined.add(RowFactory.create(pipeline.id, batchId, kind, reason, r.getTimestamp(timeAt),
          r.getString(lineAt), r.getString(sourceAt), quarantinedAt));
    }
  }
}
