package io.siloreports.report.hot;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Hot readings from the stream's own raw source (files or Kafka), validated by the stream's parser. */
public final class RawHotReadings implements HotReadings {
  private static final PipelineDescriptor READINGS = PipelineDescriptor.of(Pipeline.SILO_READINGS);

  private final Supplier<SparkSession> spark;
  private final RawSource source;
  private final ValidationRules rules;
  private final Clock clock;
  private final Configuration hadoop;

  /** {@code hadoop}: the file system settings for reading raw files without Spark. */
  public RawHotReadings(Supplier<SparkSession> spark, RawSource source, ValidationRules rules,
      Clock clock, Configuration hadoop) {
    this.spark = spark;
    this.hadoop = hadoop;
    this.source = source;
    this.rules = rules;
    this.clock = clock;
  }

  @Override
  public Dataset<Row> readings(Instant from, Instant until) {
    Column ts = col(READINGS.format().eventTimeColumn());
    return ParsedRecords.parse(source.batch(spark.get(), Pipeline.SILO_READINGS, from, until), READINGS.format(),
            rules, clock.instant())
        .filter(ParsedRecords.VALID)
        .filter(ts.geq(lit(Timestamp.from(from))).and(ts.lt(lit(Timestamp.from(until)))))
        .select("silo_id", "ts", "value");
  }

  /**
   * Raw files read line by line in this JVM, parsed and aggregated with the stream's own code: the hot part of a
   * report is a few hours, and starting Spark to read them costs more than reading them.
   */
  @Override
  public Optional<List<Row>> partialsWithoutSpark(Instant from, Instant until, List<Integer> silos) {
    if (!(source instanceof RawFileSource files)) {
      return Optional.empty();
    }
    PartialCombiner combiner = READINGS.aggregation().newCombiner();
    Set<Integer> keep = Set.copyOf(silos);
    ParsedRecords.LineParser parser = ParsedRecords.jsonLines(READINGS.format(), rules, clock.instant());
    StructType parsed = READINGS.format().schema();
    int error = parsed.fieldIndex(ParsedRecords.ERROR);
    int silo = parsed.fieldIndex("silo_id");
    int time = parsed.fieldIndex(READINGS.format().eventTimeColumn());
    try {
      boolean read = files.forEachLine(Pipeline.SILO_READINGS, hadoop, (line, file) -> {
        if (line.isBlank()) {
          return;
        }
        Row r = parser.parse(line, file);
        if (r.getString(error) != null || !keep.isEmpty() && !keep.contains(r.getInt(silo))) {
          return;
        }
        Timestamp ts = r.getTimestamp(time);
        // [from, until) on the full timestamp: a reading at from + 0.5 ms is in, until - 0.5 ms too
        if (!ts.before(Timestamp.from(from)) && ts.before(Timestamp.from(until))) {
          combiner.add(r, false);
        }
      });
      return read ? Optional.of(combiner.rows(null)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the raw readings in " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return source.describe(Pipeline.SILO_READINGS);
  }
}
