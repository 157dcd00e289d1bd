package io.siloreports.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.siloreports.ingest.ParsedRecords;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The shape of quarantined records, each with its kind, its reason and its raw line: bad records (invalid, or
 * refused by the store) and records too late to merge (their hour was closed for revision).
 */
public final class Quarantine {
  public static final String BAD = "bad";
  public static final String TOO_LATE = "too_late";

  public static final StructType SCHEMA =
      new StructType()
          .add("pipeline", DataTypes.StringType)
          .add("batch_id", DataTypes.LongType)
          .add("kind", DataTypes.StringType)
          .add("reason", DataTypes.StringType)
          .add("event_ts", DataTypes.TimestampType)
          .add("line", DataTypes.StringType)
          .add("source", DataTypes.StringType)
          .add("quarantined_at", DataTypes.TimestampType);

  private Quarantine() {}

  /**
   * The rows of {@code records} (parsed records) for which {@code kind} is not null, in {@link #SCHEMA}, with
   * {@code reason}.
   */
  public static Dataset<Row> of(Dataset<Row> records, Column kind, Column reason, Pipeline pipeline, long batchId,
      Instant now) {
    return records
        .filter(kind.isNotNull())
        .select(
            lit(pipeline.id).as("pipeline"),
            lit(batchId).as("batch_id"),
            kind.as("kind"),
            reason.as("reason"),
            col(PipelineDescriptor.of(pipeline).format().eventTimeColumn()).as("event_ts"),
            col(ParsedRecords.LINE),
            col(ParsedRecords.SOURCE),
            lit(Timestamp.from(now)).as("quarantined_at"));
  }

  /** The bad records of {@code records} (parsed records), with the parser's reason. */
  public static Dataset<Row> bad(Dataset<Row> records, Pipeline pipeline, long batchId, Instant now) {
    return of(records, when(ParsedRecords.BAD, lit(BAD)), col(ParsedRecords.ERROR), pipeline, batchId, now);
  }
}
