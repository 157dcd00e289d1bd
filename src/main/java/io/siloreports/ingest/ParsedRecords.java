package io.siloreports.ingest;

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

/**
 * Raw lines in, typed rows out: every line becomes one row, valid or carrying its {@code error}. Nothing is
 * dropped here; callers split with {@link #VALID} / {@link #BAD}.
 *
 * <p>Input columns: {@code line} (the raw JSON text, or a CSV row for {@link #parseCsv}) and {@code source}
 * (file or topic-partition-offset, nullable). Output: the {@link RecordFormat}'s schema, its typed columns, then
 * {@link #ERROR}, {@link #LINE}, {@link #SOURCE}.
 */
public final class ParsedRecords {
  /** The reason a record is bad; null for a valid one. */
  public static final String ERROR = "error";
  /** The raw line, as it came. */
  public static final String LINE = "line";
  /** Where the line came from (file, topic-partition@offset, table row); nullable. */
  public static final String SOURCE = "source";
  /** The event time of both kinds of record. */
  public static final String TS = "ts";

  public static final Column VALID = org.apache.spark.sql.functions.col(ERROR).isNull();
  public static final Column BAD = org.apache.spark.sql.functions.col(ERROR).isNotNull();

  private ParsedRecords() {}

  /**
   * Parses {@code lines} (columns {@code line}, {@code source}) as records of {@code format}; {@code now} is the
   * processing time that absurd-future timestamps are judged against. Blank lines are not records and are
   * skipped.
   */
  public static Dataset<Row> parse(Dataset<Row> lines, RecordFormat format, ValidationRules rules, Instant now) {
    LineParser parser = jsonLines(format, rules, now);
    MapPartitionsFunction<Row, Row> fn = rows -> new Mapping(rows, parser);
    return lines.select(LINE, SOURCE).mapPartitions(fn, Encoders.row(format.schema()));
  }

  /**
   * The parser of one raw JSON line of {@code format} into a row of its schema, valid or carrying its error, for
   * code that parses inside its own pass over a partition (the stream). Serializable, to ship to executors.
   */
  public static LineParser jsonLines(RecordFormat format, ValidationRules rules, Instant now) {
    return (line, source) -> format.fromJson(line, source, rules, now);
  }

  /**
   * The same for CSV lines ({@link CsvRecords}): {@code headers} holds each file's header, keyed by
   * {@link CsvRecords#fileKey} of its path, and {@code source} must be the file ({@code input_file_name()}).
   * A file's header line is not a record; every other line becomes a row, valid or carrying its error.
   */
  public static Dataset<Row> parseCsv(
      Dataset<Row> lines, RecordFormat format, Map<String, CsvRecords.Header> headers, ValidationRules rules,
      Instant now) {
    long nowMillis = now.toEpochMilli();
    Map<String, CsvRecords.Header> byFile = new HashMap<>(headers);
    MapPartitionsFunction<Row, Row> fn =
        rows -> {
          Instant at = Instant.ofEpochMilli(nowMillis);
          CsvHeaders files = new CsvHeaders(byFile);
          return new Mapping(rows, (line, source) -> {
            CsvRecords.Header h = files.of(source);
            if (h.problem() == null && RecordParser.withoutByteOrderMark(line).equals(h.line())) {
              return null;
            }
            return format.fromCsv(line, h, source, rules, at);
          });
        };
    return lines.select(LINE, SOURCE).mapPartitions(fn, Encoders.row(format.schema()));
  }

  /** A parsed time as a row holds it. */
  static Timestamp timestamp(Instant t) {
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
