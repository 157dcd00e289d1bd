package io.siloreports.report.hot;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.CommittedInput;
import io.siloreports.ingest.InputSlice;
import io.siloreports.ingest.KafkaSource;
import io.siloreports.ingest.MySqlTableSource;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.ingest.SparkCheckpointLog;
import io.siloreports.ingest.TablePosition;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.AggregationProgress;
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

/** Hot readings from the stream's own raw source (files, Kafka or the MySQL raw table), validated by its parser. */
public final class RawHotReadings implements HotReadings {
  private static final PipelineDescriptor READINGS = PipelineDescriptor.of(Pipeline.SILO_READINGS);

  private final Supplier<SparkSession> spark;
  private final RawSource source;
  private final ValidationRules rules;
  private final Clock clock;
  private final Configuration hadoop;
  private final String checkpointDir;

  /**
   * {@code hadoop}: the file system settings for reading raw files and the checkpoint without Spark;
   * {@code checkpointDir}: the stream's checkpoint root ({@code checkpoint.dir}), where a file or Kafka source's
   * committed input is read; null when there is none to read (then only the table source knows its position).
   */
  public RawHotReadings(Supplier<SparkSession> spark, RawSource source, ValidationRules rules,
      Clock clock, Configuration hadoop, String checkpointDir) {
    this.spark = spark;
    this.hadoop = hadoop;
    this.source = source;
    this.rules = rules;
    this.clock = clock;
    this.checkpointDir = checkpointDir;
  }

  public RawHotReadings(Supplier<SparkSession> spark, RawSource source, ValidationRules rules,
      Clock clock, Configuration hadoop) {
    this(spark, source, rules, clock, hadoop, null);
  }

  @Override
  public Optional<CommittedInput> committedInput(AggregationProgress committed) {
    if (source instanceof MySqlTableSource) {
      return Optional.ofNullable(committed.sourcePosition())
          .map(p -> new CommittedInput.Table(committed.batchId(), TablePosition.parse(p)));
    }
    if (checkpointDir == null || !(source instanceof RawFileSource || source instanceof KafkaSource)) {
      return Optional.empty();
    }
    SparkCheckpointLog log = new SparkCheckpointLog(hadoop, checkpointDir + "/" + Pipeline.SILO_READINGS.id);
    try {
      Optional<String> offset = log.sourceOffset(committed.batchId());
      if (offset.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(source instanceof KafkaSource
          ? new CommittedInput.KafkaOffsets(committed.batchId(), offset.get())
          : new CommittedInput.Files(committed.batchId(),
              log.filesUpTo(SparkCheckpointLog.fileLogOffset(offset.get()))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read what batch " + committed.batchId() + " committed from the checkpoint "
          + log + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Dataset<Row> readings(InputSlice slice) {
    Dataset<Row> committed = slice.readsCommitted()
        ? valid(source.batch(spark.get(), Pipeline.SILO_READINGS, slice, true), slice.committedFrom(), slice.until())
        : null;
    Dataset<Row> uncommitted = slice.committed() == null ? null
        : valid(source.batch(spark.get(), Pipeline.SILO_READINGS, slice, false), slice.uncommittedFrom(),
            slice.until());
    if (committed == null && uncommitted == null) {
      return spark.get().createDataFrame(List.of(), READINGS.format().schema()).select("silo_id", "ts", "value");
    }
    return committed == null ? uncommitted : uncommitted == null ? committed : committed.unionByName(uncommitted);
  }

  private Dataset<Row> valid(Dataset<Row> lines, Instant from, Instant until) {
    Column ts = col(READINGS.format().eventTimeColumn());
    return ParsedRecords.parse(lines, READINGS.format(), rules, clock.instant())
        .filter(ParsedRecords.VALID)
        .filter(ts.geq(lit(Timestamp.from(from))).and(ts.lt(lit(Timestamp.from(until)))))
        .select("silo_id", "ts", "value");
  }

  /**
   * Raw files read line by line in this JVM, parsed and aggregated with the stream's own code: only the files the
   * stream has not committed (and the committed ones only when the slice needs the cut-off's hour from them), so the
   * lines read are the lag, not the history.
   */
  @Override
  public Optional<List<Row>> partialsWithoutSpark(InputSlice slice, List<Integer> silos) {
    if (!(source instanceof RawFileSource files)) {
      return Optional.empty();
    }
    Set<String> logged = slice.committed() instanceof CommittedInput.Files f ? f.uris() : null;
    PartialCombiner combiner = READINGS.aggregation().newCombiner();
    Set<Integer> keep = Set.copyOf(silos);
    ParsedRecords.LineParser parser = ParsedRecords.jsonLines(READINGS.format(), rules, clock.instant());
    StructType parsed = READINGS.format().schema();
    int error = parsed.fieldIndex(ParsedRecords.ERROR);
    int silo = parsed.fieldIndex("silo_id");
    int time = parsed.fieldIndex(READINGS.format().eventTimeColumn());
    boolean readsCommitted = slice.readsCommitted();
    try {
      boolean read = files.forEachLine(Pipeline.SILO_READINGS, hadoop,
          file -> logged == null || readsCommitted || !logged.contains(file), (line, file) -> {
            if (line.isBlank()) {
              return;
            }
            Row r = parser.parse(line, file);
            if (r.getString(error) != null || !keep.isEmpty() && !keep.contains(r.getInt(silo))) {
              return;
            }
            // the window on the full timestamp: a reading at from + 0.5 ms is in, until - 0.5 ms too
            if (slice.counts(logged == null || logged.contains(file), r.getTimestamp(time))) {
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
