package io.siloreports.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Raw lines in, typed rows out: every line becomes one row, valid or carrying its {@code error}. Nothing is
 * dropped here; callers split with {@link #VALID} / {@link #BAD}.
 *
 * <p>Input columns: {@code line} (the raw JSON text) and {@code source} (file or topic-partition-offset,
 * nullable). Output: the pipeline's typed columns, then {@code error}, {@code line}, {@code source}.
 */
public final class ParsedRecords {
  public static final Column VALID = org.apache.spark.sql.functions.col("error").isNull();
  public static final Column BAD = org.apache.spark.sql.functions.col("error").isNotNull();

  public static final StructType READINGS =
      new StructType()
          .add("silo_id", DataTypes.IntegerType)
          .add("ts", DataTypes.TimestampType)
          .add("value", DataTypes.createDecimalType(38, RecordParser.VALUE_SCALE))
          .add("error", DataTypes.StringType)
          .add("line", DataTypes.StringType)
          .add("source", DataTypes.StringType);

  public static final StructType EVENTS =
      new StructType()
          .add("record_type", DataTypes.StringType)
          .add("account_id", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add("error", DataTypes.StringType)
          .add("line", DataTypes.StringType)
          .add("source", DataTypes.StringType);

  private ParsedRecords() {}

  public static StructType schema(Pipeline pipeline) {
    return pipeline == Pipeline.SILO_READINGS ? READINGS : EVENTS;
  }

  /**
   * Parses {@code lines} (columns {@code line}, {@code source}) for {@code pipeline}; {@code now} is the
   * processing time that absurd-future timestamps are judged against. Blank lines are not records and are
   * skipped.
   */
  public static Dataset<Row> parse(Dataset<Row> lines, Pipeline pipeline, ValidationRules rules, Instant now) {
    long nowMillis = now.toEpochMilli();
    MapPartitionsFunction<Row, Row> fn =
        pipeline == Pipeline.SILO_READINGS
            ? rows -> new Mapping(rows, nowMillis, rules, true)
            : rows -> new Mapping(rows, nowMillis, rules, false);
    return lines.select("line", "source").mapPartitions(fn, Encoders.row(schema(pipeline)));
  }

  /** Lazily maps one partition, skipping blank lines. */
  private static final class Mapping implements Iterator<Row> {
    private final Iterator<Row> in;
    private final Instant now;
    private final ValidationRules rules;
    private final boolean readings;
    private Row next;

    Mapping(Iterator<Row> in, long nowMillis, ValidationRules rules, boolean readings) {
      this.in = in;
      this.now = Instant.ofEpochMilli(nowMillis);
      this.rules = rules;
      this.readings = readings;
    }

    @Override
    public boolean hasNext() {
      while (next == null && in.hasNext()) {
        Row r = in.next();
        String line = r.getString(0);
        if (line == null || line.isBlank()) {
          continue;
        }
        next = readings ? reading(line, r.getString(1)) : event(line, r.getString(1));
      }
      return next != null;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    private Row reading(String line, String source) {
      RecordParser.Reading p = RecordParser.parseReading(line, rules, now);
      return RowFactory.create(p.siloId(), ts(p.ts()), p.value(), p.error(), line, source);
    }

    private Row event(String line, String source) {
      RecordParser.Event p = RecordParser.parseEvent(line, rules, now);
      return RowFactory.create(p.recordType(), p.accountId(), ts(p.ts()), p.error(), line, source);
    }

    private static Timestamp ts(Instant t) {
      return t == null ? null : Timestamp.from(t);
    }
  }
}
