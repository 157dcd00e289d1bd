package io.siloreports.ingest;

import io.siloreports.model.Pipeline;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
 * <p>Input columns: {@code line} (the raw JSON text, or a CSV row for {@link #parseCsv}) and {@code source}
 * (file or topic-partition-offset, nullable). Output: the pipeline's typed columns, then {@code error}, {@code line}, {@code source}.
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
    LineParser parser = jsonLines(pipeline, rules, now);
    MapPartitionsFunction<Row, Row> fn = rows -> new Mapping(rows, parser);
    return lines.select("line", "source").mapPartitions(fn, Encoders.row(schema(pipeline)));
  }

  /**
   * The parser of one raw JSON line of {@code pipeline} into a row of {@link #schema}, valid or carrying its error,
   * for code that parses inside its own pass over a partition (the stream). Serializable, to ship to executors.
   */
  public static LineParser jsonLines(Pipeline pipeline, ValidationRules rules, Instant now) {
    return pipeline == Pipeline.SILO_READINGS
        ? (line, source) -> reading(RecordParser.parseReading(line, rules, now), line, source)
        : (line, source) -> event(RecordParser.parseEvent(line, rules, now), line, source);
  }

  /**
   * The same for CSV lines ({@link CsvRecords}): {@code headers} holds each file's header, keyed by
   * {@link CsvRecords#fileKey} of its path, and {@code source} must be the file ({@code input_file_name()}).
   * A file's header line is not a record; every other line becomes a row, valid or carrying its error.
   */
  public static Dataset<Row> parseCsv(
      Dataset<Row> lines, Pipeline pipeline, Map<String, CsvRecords.Header> headers, ValidationRules rules,
      Instant now) {
    long nowMillis = now.toEpochMilli();
    Map<String, CsvRecords.Header> byFile = new HashMap<>(headers);
    boolean readings = pipeline == Pipeline.SILO_READINGS;
    MapPartitionsFunction<Row, Row> fn =
        rows -> {
          Instant at = Instant.ofEpochMilli(nowMillis);
          CsvHeaders files = new CsvHeaders(byFile);
          return new Mapping(rows, (line, source) -> {
            CsvRecords.Header h = files.of(source);
            if (h.problem() == null && RecordParser.withoutByteOrderMark(line).equals(h.line())) {
              return null;
            }
            return readings
                ? reading(CsvRecords.reading(line, h, rules, at), line, source)
                : event(CsvRecords.event(line, h, rules, at), line, source);
          });
        };
    return lines.select("line", "source").mapPartitions(fn, Encoders.row(schema(pipeline)));
  }

  private static Row reading(RecordParser.Reading p, String line, String source) {
    return RowFactory.create(p.siloId(), ts(p.ts()), p.value(), p.error(), line, source);
  }

  private static Row event(RecordParser.Event p, String line, String source) {
    return RowFactory.create(p.recordType(), p.accountId(), ts(p.ts()), p.error(), line, source);
  }

  private static Timestamp ts(Instant t) {
    return t == null ? null : Timestamp.from(t);
  }

  /** The header of a line's file; lines of one file come together, so the last lookup is kept. */
  private static final class CsvHeaders {
    private static final CsvRecords.Header UNKNOWN =
        new CsvRecords.Header("", new int[0], 0, "unparseable CSV: the file's header was not read (file added"
            + " during the run?)");
    private final Map<String, CsvRecords.Header> byFile;
    private String lastSource;
    private CsvRecords.Header last;

    CsvHeaders(Map<String, CsvRecords.Header> byFile) {
      this.byFile = byFile;
    }

    CsvRecords.Header of(String source) {
      if (source == null || !source.equals(lastSource)) {
        lastSource = source;
        last = source == null ? null : byFile.get(CsvRecords.fileKey(source));
        if (last == null) {
          last = UNKNOWN;
        }
      }
      return last;
    }
  }

  /** One line (and its source) to a row, or null when the line is not a record. */
  public interface LineParser extends java.io.Serializable {
    Row parse(String line, String source);
  }

  /** Lazily maps one partition, skipping blank lines and lines the parser says are not records. */
  private static final class Mapping implements Iterator<Row> {
    private final Iterator<Row> in;
    private final LineParser parser;
    private Row next;

    Mapping(Iterator<Row> in, LineParser parser) {
      this.in = in;
      this.parser = parser;
    }

    @Override
    public boolean hasNext() {
      while (next == null && in.hasNext()) {
        Row r = in.next();
        String line = r.getString(0);
        if (line == null || line.isBlank()) {
          continue;
        }
        next = parser.parse(line, r.getString(1));
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
  }
}
