package io.siloreports.testing;

import io.siloreports.ingest.RecordFormat;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Tiny in-memory Datasets for transformation tests. */
public final class Rows {
  private Rows() {}

  public static Dataset<Row> readings(SparkSession spark, Collection<Oracle.Reading> readings) {
    List<Row> rows = new ArrayList<>();
    for (Oracle.Reading r : readings) {
      rows.add(RowFactory.create(r.siloId(), Timestamp.from(r.ts()), r.value(), null, r.json(), "test"));
    }
    return spark.createDataFrame(rows, RecordFormat.READINGS.schema());
  }

  public static Dataset<Row> events(SparkSession spark, Collection<Oracle.Event> events) {
    List<Row> rows = new ArrayList<>();
    for (Oracle.Event e : events) {
      rows.add(RowFactory.create(e.recordType(), e.accountId(), Timestamp.from(e.ts()), null, e.json(), "test"));
    }
    return spark.createDataFrame(rows, RecordFormat.EVENTS.schema());
  }

  /** Raw lines as a source produces them (columns line, source). */
  public static Dataset<Row> lines(SparkSession spark, Collection<String> lines) {
    List<Row> rows = new ArrayList<>();
    for (String l : lines) {
      rows.add(RowFactory.create(l, "test"));
    }
    StructType schema = new StructType().add("line", DataTypes.StringType).add("source", DataTypes.StringType);
    return spark.createDataFrame(rows, schema);
  }
}
