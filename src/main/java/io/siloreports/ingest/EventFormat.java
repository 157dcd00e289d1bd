package io.siloreports.ingest;

import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Activity events in their parsed form ({@link RecordFormat#EVENTS}). */
final class EventFormat implements RecordFormat {
  private static final long serialVersionUID = 1L;

  private static final StructType SCHEMA =
      RecordFormat.parsed(new StructType()
          .add("record_type", DataTypes.StringType)
          .add("account_id", DataTypes.StringType)
          .add(ParsedRecords.TS, DataTypes.TimestampType));

  @Override
  public StructType schema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return List.of("record_type", "account_id");
  }

  @Override
  public List<String> csvColumns() {
    return List.of("record_type", "account_id", "ts");
  }

  @Override
  public Row fromJson(String line, String source, ValidationRules rules, Instant now) {
    return row(RecordParser.parseEvent(line, rules, now), line, source);
  }

  @Override
  public Row fromCsv(String row, CsvRecords.Header header, String source, ValidationRules rules, Instant now) {
    return row(CsvRecords.event(row, header, rules, now), row, source);
  }

  private static Row row(RecordParser.Event p, String line, String source) {
    return RowFactory.create(p.recordType(), p.accountId(), ParsedRecords.timestamp(p.ts()), p.error(), line, source);
  }
}
