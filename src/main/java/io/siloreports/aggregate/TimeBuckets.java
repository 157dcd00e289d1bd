package io.siloreports.aggregate;

import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.unix_seconds;

import org.apache.spark.sql.Column;

/**
 * UTC bucket boundaries computed from epoch seconds, so they never depend on the session time zone
 * ({@code date_trunc} does).
 */
public final class TimeBuckets {
  public static final int[] BUCKET_MINUTES = {1, 5, 15, 60};

  private TimeBuckets() {}

  /** Start of the {@code minutes}-wide UTC bucket holding {@code ts}. */
  public static Column floorTo(Column ts, int minutes) {
    long width = minutes * 60L;
    return timestamp_seconds(floor(unix_seconds(ts).divide(width)).multiply(width));
  }

  /** Same, for a bucket width held in a column (minutes). */
  public static Column floorTo(Column ts, Column minutes) {
    Column width = minutes.cast("long").multiply(60L);
    return timestamp_seconds(floor(unix_seconds(ts).divide(width)).multiply(width));
  }

  public static Column hourStart(Column ts) {
    return floorTo(ts, 60);
  }
}
