package io.siloreports.ingest;

import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Silo readings in their parsed form ({@link RecordFormat#READINGS}). */
final class ReadingFormat implements RecordFormat {
  private static final long serialVersionUID = 1L;

  private static final StructType SCHEMA =
      RecordFormat.parsed(new StructType()
          .add("silo_id", DataTypes.IntegerType)
          .add(ParsedRecords.TS, DataTypes.TimestampType)
          .add("value", DataTypes.createDecimalType(38, RecordParser.VALUE_SCALE)));

  @Override
  public StructType schema() {
    return SCHEMA;
  }

  @Override
  public List<String> keyColumns() {
    return List.of("silo_id");
  }

  @Override
  public List<String> csvColumns() {
    return List.of("silo_id", "ts", "value");
  }

  @Override
  public Row fromJson(String line, String source, ValidationRules rules, Instant now) {
    return row(RecordParser.parseReading(line, rules, now), line, source);
  }

  @Override
  public Row fromCsv(String row, CsvRecords.Header header, String source, ValidationRules rules, Instant now) {
    return row(CsvRecords.reading(row, header, rules, now), row, source);
  }

  private static Row row(RecordParser.Reading p, String line, String source) {
    return RowFactory.create(p.siloId(), ParsedRecords.timestamp(p.ts()), p.value(), p.error(), line, source);
  }
}
