package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.store.RetentionPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where aggregates, quarantine and progress live: {@code sink.type=parquet} (the embedded default, under
 * {@code warehouse.dir}) or {@code sink.type=mysql} ({@code db.*}), and how long what they hold is kept.
 *
 * @param db the MySQL database; null for Parquet
 * @param warehouseDir the Parquet root; null for MySQL
 * @param retention the {@code retention.*} settings of bucket counts and the quarantine
 */
public record StoreConfig(boolean mysql, String warehouseDir, Jdbc db, int compactEvery, long directReadMaxRows,
    RetentionPolicy retention) {

  public static StoreConfig from(Settings s) {
    return s.get(Keys.SINK_TYPE).equals("mysql")
        ? new StoreConfig(true, null, Configs.requiredDb(s, "sink.type is mysql"), 0, 0, retention(s))
        : new StoreConfig(false, s.get(Keys.WAREHOUSE_DIR), null, s.get(Keys.PARQUET_COMPACT_EVERY),
            s.get(Keys.PARQUET_DIRECT_READ_MAX_ROWS), retention(s));
  }

  static RetentionPolicy retention(Settings s) {
    Map<Integer, Duration> ages = new TreeMap<>();
    s.find(Keys.RETENTION_BUCKETS_1M_AGE).ifPresent(a -> ages.put(1, a));
    s.find(Keys.RETENTION_BUCKETS_5M_AGE).ifPresent(a -> ages.put(5, a));
    s.find(Keys.RETENTION_BUCKETS_15M_AGE).ifPresent(a -> ages.put(15, a));
    s.find(Keys.RETENTION_BUCKETS_60M_AGE).ifPresent(a -> ages.put(60, a));
    return new RetentionPolicy(ages, s.find(Keys.RETENTION_QUARANTINE_AGE).orElse(null),
        s.get(Keys.RETENTION_PARTITION_DAYS_AHEAD), s.get(Keys.STREAM_MAX_REVISION_AGE));
  }

  public String describe() {
    return mysql ? "MySQL " + db.redactedUrl() : "Parquet under " + warehouseDir;
  }
}
