package io.siloreports.ingest;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * One kind of raw record in its parsed form: the schema of its rows (the record's own columns, then
 * {@link ParsedRecords#ERROR}, {@link ParsedRecords#LINE} and {@link ParsedRecords#SOURCE}), the columns that name
 * it, and how a JSON line or a CSV row becomes such a row, valid or carrying its error ({@link ParsedRecords} runs
 * these over Datasets). {@link #READINGS} and {@link #EVENTS} are the two there are; both are shipped to executors.
 */
public interface RecordFormat extends Serializable {
  /** Silo readings: {@code silo_id}, {@code ts}, {@code value}. */
  RecordFormat READINGS = new ReadingFormat();
  /** Activity events: {@code record_type}, {@code account_id}, {@code ts}. */
  RecordFormat EVENTS = new EventFormat();

  /** The parsed rows' schema. */
  StructType schema();

  /** The columns that key a record, without its time (a silo; a record type and an account). */
  List<String> keyColumns();

  /** The column of the record's event time. */
  default String eventTimeColumn() {
    return ParsedRecords.TS;
  }

  /** The columns a CSV header must name, in the order their checks run. */
  List<String> csvColumns();

  /** One JSON line (and where it came from) as a row of {@link #schema}; {@code now} judges absurd-future times. */
  Row fromJson(String line, String source, ValidationRules rules, Instant now);

  /** One CSV row of a file with {@code header} as a row of {@link #schema}, validated like a JSON line. */
  Row fromCsv(String row, CsvRecords.Header header, String source, ValidationRules rules, Instant now);

  /** A record's own columns followed by the columns every parsed row carries: its error, its line, its source. */
  static StructType parsed(StructType own) {
    return own
        .add(ParsedRecords.ERROR, DataTypes.StringType)
        .add(ParsedRecords.LINE, DataTypes.StringType)
        .add(ParsedRecords.SOURCE, DataTypes.StringType);
  }
}
