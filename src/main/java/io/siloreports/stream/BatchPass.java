package io.siloreports.stream;

import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import io.siloreports.store.Quarantine;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One pass over a micro-batch's raw lines: inside each partition every line is parsed, validated, classified
 * against the committed progress (bad, refused by the store, too late, merged, late) and merged records are
 * combined per key ({@link PartialCombiner}, a map-side combine of the monoid). A partition sends on only its
 * partial rows, its quarantine rows and one row of counts; the driver merges the partials of all partitions. No
 * copy of the raw batch is kept, nothing is shuffled, and nothing but partials and quarantined lines leaves a
 * partition, so the cost is one parse per line plus a hash-map update.
 *
 * <p>Pure (no store, no configuration): the classification is its fields, set by {@link MicroBatchAggregator}.
 */
final class BatchPass implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

  static final StructType COUNTS =
      new StructType()
          .add("merged", DataTypes.LongType)
          .add("bad", DataTypes.LongType)
          .add("late", DataTypes.LongType)
          .add("too_late", DataTypes.LongType)
          .add("max_ts", DataTypes.TimestampType)
          .add("inline_quarantined", DataTypes.LongType);

  /** Quarantine rows a partition sends with its partials; beyond this they are read by a second pass. */
  static final int INLINE_QUARANTINE = 2_000;

  private static final String PARTIAL = "p";
  private static final String QUARANTINED = "q";
  private static final String COUNTED = "c";

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

  /** What the pass gives the driver. */
  record Result(List<Row> partials, Counts counts, Dataset<Row> quarantine) {}

  StructType outputSchema() {
    return new StructType()
        .add("kind", DataTypes.StringType)
        .add("partial", PipelineDescriptor.of(pipeline).aggregation().partialSchema())
        .add("quarantine", Quarantine.SCHEMA)
        .add("counts", COUNTS);
  }

  /**
   * Runs the pass over {@code lines} (columns {@code line}, {@code source}): one Spark job brings the partials, the
   * counts and the quarantine rows to the driver. A partition sends at most {@value #INLINE_QUARANTINE} quarantine
   * rows; when one had more, the quarantine is read by a second pass over the batch (the same classification, rows
   * streamed to the store) rather than held in the driver's memory.
   */
  Result run(SparkSession spark, Dataset<Row> lines) {
    MapPartitionsFunction<Row, Row> fn = rows -> partition(rows, true);
    PartialCombiner combiner = PipelineDescriptor.of(pipeline).aggregation().newCombiner();
    List<Row> quarantined = new ArrayList<>();
    long merged = 0;
    long bad = 0;
    long late = 0;
    long tooLate = 0;
    long inline = 0;
    Timestamp maxTs = null;
    for (Row r : lines.select("line", "source").mapPartitions(fn, Encoders.row(outputSchema())).collectAsList()) {
      switch (r.getString(0)) {
        case PARTIAL -> combiner.merge(r.getStruct(1));
        case QUARANTINED -> quarantined.add(r.getStruct(2));
        default -> {
          Row c = r.getStruct(3);
          merged += c.getLong(0);
          bad += c.getLong(1);
          late += c.getLong(2);
          tooLate += c.getLong(3);
          if (!c.isNullAt(4) && (maxTs == null || c.getTimestamp(4).after(maxTs))) {
            maxTs = c.getTimestamp(4);
          }
          inline += c.getLong(5);
        }
      }
    }
    Dataset<Row> quarantine;
    if (inline == bad + tooLate) {
      quarantine = spark.createDataFrame(quarantined, Quarantine.SCHEMA);
    } else {
      quarantined.clear();
      MapPartitionsFunction<Row, Row> again = rows -> partition(rows, false);
      quarantine = lines.select("line", "source").mapPartitions(again, Encoders.row(Quarantine.SCHEMA));
    }
    return new Result(combiner.rows(null), new Counts(merged, bad, late, tooLate,
        maxTs == null ? null : maxTs.toInstant()), quarantine);
  }

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

  /**
   * One partition. {@code combine}: quarantine rows as they come (at most {@value #INLINE_QUARANTINE}), then the
   * partition's partials, then its counts (rows of {@link #outputSchema}); else only its quarantine rows, all of
   * them ({@link Quarantine#SCHEMA}).
   */
  Iterator<Row> partition(Iterator<Row> lines, boolean combine) {
    PipelineDescriptor descriptor = PipelineDescriptor.of(pipeline);
    ParsedRecords.LineParser parser = ParsedRecords.jsonLines(descriptor.format(), rules, now);
    PartialCombiner combiner = descriptor.aggregation().newCombiner();
    StructType parsed = descriptor.format().schema();
    HourKeys hourKeys = HourKeys.ofRecords(descriptor);
    int errorAt = parsed.fieldIndex(ParsedRecords.ERROR);
    int lineAt = parsed.fieldIndex(ParsedRecords.LINE);
    int sourceAt = parsed.fieldIndex(ParsedRecords.SOURCE);
    int timeAt = hourKeys.time();
    Timestamp quarantinedAt = Timestamp.from(now);
    long finalMillis = finalizedBefore == null ? Long.MIN_VALUE : finalizedBefore.toEpochMilli();
    long horizonMillis = horizon == null ? Long.MIN_VALUE : horizon.toEpochMilli();
    return new Iterator<>() {
      private final ArrayDeque<Row> pending = new ArrayDeque<>();
      private boolean ended;
      private long merged;
      private long bad;
      private long late;
      private long tooLate;
      private long inline;
      private Timestamp maxTs;

      @Override
      public boolean hasNext() {
        while (pending.isEmpty() && !ended) {
          if (!lines.hasNext()) {
            ended = true;
            if (combine) {
              for (Row p : combiner.rows(now)) {
                pending.add(RowFactory.create(PARTIAL, p, null, null));
              }
              pending.add(RowFactory.create(COUNTED, null, null,
                  RowFactory.create(merged, bad, late, tooLate, maxTs, inline)));
            }
            break;
          }
          Row in = lines.next();
          String line = in.getString(0);
          if (line == null || line.isBlank()) {
            continue;
          }
          Row r = parser.parse(line, in.getString(1));
          String error = r.getString(errorAt);
          if (error != null) {
            bad++;
            quarantine(r, Quarantine.BAD, error);
            continue;
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
            boolean isLate = hour < finalMillis;
            combiner.add(r, isLate);
            merged++;
            if (isLate) {
              late++;
            }
            if (maxTs == null || ts.after(maxTs)) {
              maxTs = ts;
            }
          }
        }
        return !pending.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return pending.poll();
      }

      private void quarantine(Row r, String kind, String reason) {
        if (combine && inline >= INLINE_QUARANTINE) {
          return;
        }
        Row q = RowFactory.create(pipeline.id, batchId, kind, reason, r.getTimestamp(timeAt), r.getString(lineAt),
            r.getString(sourceAt), quarantinedAt);
        if (combine) {
          inline++;
          q = RowFactory.create(QUARANTINED, null, q, null);
        }
        pending.add(q);
      }
    };
  }
}
