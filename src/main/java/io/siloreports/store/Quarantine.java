package io.siloreports.store;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.siloreports.aggregate.TimeBuckets;
import io.siloreports.model.Pipeline;
import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The shape of quarantined records: bad ones and late ones, each with its reason and its raw line. */
public final class Quarantine {
  public static final String BAD = "bad";
  public static final String LATE = "late";

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
   * Rows of {@code classified} (parsed records with a boolean {@code late} column) that are bad or late, in
   * {@link #SCHEMA}. A late record's reason names its hour and the finalized_before that excluded it.
   */
  public static Dataset<Row> of(
      Dataset<Row> classified, Pipeline pipeline, long batchId, Instant finalizedBefore, Instant now) {
    Column hour = date_format(TimeBuckets.hourStart(col("ts")), "yyyy-MM-dd'T'HH:mm'Z'");
    Column lateReason =
        concat(lit("late: hour "), hour, lit(" was already finalized (finalized_before "
            + (finalizedBefore == null ? "unset" : finalizedBefore.toString()) + ")"));
    return classified
        .filter(col("error").isNotNull().or(col("late")))
        .select(
            lit(pipeline.id).as("pipeline"),
            lit(batchId).as("batch_id"),
            when(col("error").isNotNull(), lit(BAD)).otherwise(lit(LATE)).as("kind"),
            when(col("error").isNotNull(), col("error")).otherwise(lateReason).as("reason"),
            col("ts").as("event_ts"),
            col("line"),
            col("source"),
            lit(Timestamp.from(now)).as("quarantined_at"));
  }
}
