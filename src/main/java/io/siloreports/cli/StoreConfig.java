package io.siloreports.cli;

import io.siloreports.store.AggregateStore;
import io.siloreports.store.MySqlAggregateStore;
import io.siloreports.store.ParquetAggregateStore;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import org.apache.spark.sql.SparkSession;

/**
 * Where aggregates live, from {@code sink.*} settings: {@code sink.type=parquet} (the embedded default, under
 * {@code warehouse.dir}) or {@code sink.type=mysql} ({@code db.url}, {@code db.user}, {@code db.password}; a
 * JDBC read of the aggregates is split into {@code db.read-partitions} ranges).
 */
public record StoreConfig(String type, String warehouseDir, Jdbc db, int readPartitions, int compactEvery) {

  public static StoreConfig from(Settings s) {
    String type = s.get("sink.type", "parquet");
    return switch (type) {
      case "parquet" -> new StoreConfig(type, s.get("warehouse.dir"), null, 1,
          s.getInt("sink.parquet.compact-every", ParquetAggregateStore.DEFAULT_COMPACT_EVERY));
      case "mysql" -> new StoreConfig(type, null, jdbc(s), s.getInt("db.read-partitions", 4), 0);
      default -> throw new IllegalArgumentException("sink.type must be parquet or mysql, got '" + type + "'");
    };
  }

  /** The MySQL connection of {@code db.*} settings. */
  public static Jdbc jdbc(Settings s) {
    return new Jdbc(s.get("db.url"), s.get("db.user", null), s.get("db.password", null));
  }

  public AggregateStore create(SparkSession spark) {
    return type.equals("mysql") ? new MySqlAggregateStore(spark, db, readPartitions)
        : new ParquetAggregateStore(spark, warehouseDir, compactEvery, () -> {});
  }

  public String describe() {
    return type.equals("mysql") ? "MySQL " + db.redactedUrl() : "Parquet under " + warehouseDir;
  }
}
