package io.siloreports.report.hot;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RawSource;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Hot readings from the stream's own raw source (files or Kafka), validated by the stream's parser. */
public final class RawHotReadings implements HotReadings {
  private final SparkSession spark;
  private final RawSource source;
  private final ValidationRules rules;
  private final Clock clock;

  public RawHotReadings(SparkSession spark, RawSource source, ValidationRules rules, Clock clock) {
    this.spark = spark;
    this.source = source;
    this.rules = rules;
    this.clock = clock;
  }

  @Override
  public Dataset<Row> readings(Instant from, Instant until) {
    return ParsedRecords.parse(source.batch(spark, Pipeline.SILO_READINGS, from, until), Pipeline.SILO_READINGS,
            rules, clock.instant())
        .filter(ParsedRecords.VALID)
        .filter(col("ts").geq(lit(Timestamp.from(from))).and(col("ts").lt(lit(Timestamp.from(until)))))
        .select("silo_id", "ts", "value");
  }

  @Override
  public String describe() {
    return source.describe(Pipeline.SILO_READINGS);
  }
}
