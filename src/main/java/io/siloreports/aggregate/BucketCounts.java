package io.siloreports.aggregate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Counts of activity events per (record_type, account_id) in 1, 5, 15 and 60-minute UTC buckets. Every
 * bucket size is counted directly from the events (never summed up from smaller buckets), so comparing the
 * sizes is a real cross-check. Counts merge by addition.
 */
public final class BucketCounts {
  public static final StructType SCHEMA =
      new StructType()
          .add("record_type", DataTypes.StringType)
          .add("account_id", DataTypes.StringType)
          .add("bucket_minutes", DataTypes.IntegerType)
          .add("bucket_start", DataTypes.TimestampType)
          .add("record_count", DataTypes.LongType);

  private BucketCounts() {}

  /** Events (record_type, account_id, ts) -> one count per key, bucket size and bucket. */
  public static Dataset<Row> partials(Dataset<Row> events) {
    Column sizes = array(Arrays.stream(TimeBuckets.BUCKET_MINUTES).mapToObj(m -> lit(m)).toArray(Column[]::new));
    return events
        .select(col("record_type"), col("account_id"), col("ts"), explode(sizes).as("bucket_minutes"))
        .groupBy(
            col("record_type"),
            col("account_id"),
            col("bucket_minutes"),
            TimeBuckets.floorTo(col("ts"), col("bucket_minutes")).as("bucket_start"))
        .agg(count(lit(1)).as("record_count"));
  }

  public static Dataset<Row> merge(Dataset<Row> partials) {
    return partials
        .groupBy("record_type", "account_id", "bucket_minutes", "bucket_start")
        .agg(sum("record_count").cast("long").as("record_count"));
  }
}
