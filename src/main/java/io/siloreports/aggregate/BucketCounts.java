package io.siloreports.aggregate;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
          .add("record_count", DataTypes.LongType)
          .add("late_count", DataTypes.LongType)
          .add("revised_at", DataTypes.TimestampType);

  /** This monoid as the stream, the sinks and the backfill ask for a pipeline's aggregation. */
  public static final Aggregation AGGREGATION = new ByBucket();

  private BucketCounts() {}

  /** Events (record_type, account_id, ts) -> one count per key, bucket size and bucket; none of them late. */
  public static Dataset<Row> partials(Dataset<Row> events) {
    return partials(events, lit(false), null);
  }

  /** The same, where {@code late} marks events that arrive after their hour was final (revised at {@code at}). */
  public static Dataset<Row> partials(Dataset<Row> events, Column late, Instant at) {
    Column sizes = array(Arrays.stream(TimeBuckets.BUCKET_MINUTES).mapToObj(m -> lit(m)).toArray(Column[]::new));
    Column lateCount = count(when(col("_late"), lit(1)));
    return events
        .select(col("record_type"), col("account_id"), col("ts"), late.as("_late"),
            explode(sizes).as("bucket_minutes"))
        .groupBy(
            col("record_type"),
            col("account_id"),
            col("bucket_minutes"),
            TimeBuckets.floorTo(col("ts"), col("bucket_minutes")).as("bucket_start"))
        .agg(count(lit(1)).as("record_count"), lateCount.as("late_count"),
            at == null ? lit(null).cast(DataTypes.TimestampType).as("revised_at")
                : when(lateCount.gt(0), lit(Timestamp.from(at))).as("revised_at"));
  }

  /** Per bucket size: how many buckets and how many events they count in total. */
  public record SizeTotals(Map<Integer, long[]> bySize) {
    /** Whether every bucket size counts exactly {@code events} events. */
    public boolean allEqual(long events) {
      for (int m : TimeBuckets.BUCKET_MINUTES) {
        long[] t = bySize.getOrDefault(m, new long[2]);
        if (t[1] != events) {
          return false;
        }
      }
      return true;
    }

    /** {@code 1,234 events = 1-min 1,234 (120 buckets) = 5-min 1,234 (24 buckets) = ...}, as seed 002 logs it. */
    public String describe(long events) {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%,d events", events));
      for (int m : TimeBuckets.BUCKET_MINUTES) {
        long[] t = bySize.getOrDefault(m, new long[2]);
        b.append(t[1] == events ? " = " : " != ")
            .append(String.format(Locale.ROOT, "%d-min %,d (%,d buckets)", m, t[1], t[0]));
      }
      return b.toString();
    }
  }

  /** The totals of some partials (one row per bucket, as {@link #partials} makes them). */
  public static SizeTotals totals(Dataset<Row> partials) {
    Map<Integer, long[]> out = new TreeMap<>();
    for (Row r : partials.groupBy("bucket_minutes").agg(count(lit(1)), sum("record_count")).collectAsList()) {
      out.put(r.getInt(0), new long[] {r.getLong(1), r.isNullAt(2) ? 0 : r.getLong(2)});
    }
    return new SizeTotals(out);
  }

  /** The same for partial rows held by the driver. */
  public static SizeTotals totals(java.util.List<Row> partials) {
    Map<Integer, long[]> out = new TreeMap<>();
    for (Row r : partials) {
      long[] t = out.computeIfAbsent(r.getInt(2), m -> new long[2]);
      t[0]++;
      t[1] += r.getLong(4);
    }
    return new SizeTotals(out);
  }

  public static Dataset<Row> merge(Dataset<Row> partials) {
    return partials
        .groupBy("record_type", "account_id", "bucket_minutes", "bucket_start")
        .agg(sum("record_count").cast("long").as("record_count"), sum("late_count").cast("long").as("late_count"),
            max("revised_at").as("revised_at"));
  }

  /** Counts by record type, account, bucket size and bucket, cross-checked per batch across the sizes. */
  private static final class ByBucket implements Aggregation {
    @Override
    public StructType partialSchema() {
      return SCHEMA;
    }

    @Override
    public List<String> keyColumns() {
      return List.of("record_type", "account_id", "bucket_minutes", "bucket_start");
    }

    @Override
    public String timeColumn() {
      return "bucket_start";
    }

    @Override
    public List<Integer> bucketMinutes() {
      return Arrays.stream(TimeBuckets.BUCKET_MINUTES).boxed().toList();
    }

    @Override
    public Dataset<Row> partials(Dataset<Row> validRecords) {
      return BucketCounts.partials(validRecords);
    }

    @Override
    public Dataset<Row> partials(Dataset<Row> validRecords, Column late, Instant at) {
      return BucketCounts.partials(validRecords, late, at);
    }

    @Override
    public Dataset<Row> merge(Dataset<Row> partials) {
      return BucketCounts.merge(partials);
    }

    @Override
    public PartialCombiner newCombiner() {
      return new PartialCombiner.Buckets();
    }

    /** Seed 002's check: every bucket size counts each record once (1-minute = 5 = 15 = 60-minute = the records). */
    @Override
    public Optional<Check> check(List<Row> partials, long records) {
      SizeTotals totals = totals(partials);
      return Optional.of(new Check(totals.allEqual(records), totals.describe(records)));
    }

    @Override
    public <T> T match(T hourly, T buckets) {
      return buckets;
    }
  }
}
