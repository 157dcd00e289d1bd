package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;

/**
 * Where aggregates, quarantine and progress live: {@code sink.type=parquet} (the embedded default, under
 * {@code warehouse.dir}) or {@code sink.type=mysql} ({@code db.*}).
 *
 * @param db the MySQL database; null for Parquet
 * @param warehouseDir the Parquet root; null for MySQL
 */
public record StoreConfig(boolean mysql, String warehouseDir, Jdbc db, int compactEvery, long directReadMaxRows) {

  public static StoreConfig from(Settings s) {
    return s.get(Keys.SINK_TYPE).equals("mysql")
        ? new StoreConfig(true, null, Configs.requiredDb(s, "sink.type is mysql"), 0, 0)
        : new StoreConfig(false, s.get(Keys.WAREHOUSE_DIR), null, s.get(Keys.PARQUET_COMPACT_EVERY),
            s.get(Keys.PARQUET_DIRECT_READ_MAX_ROWS));
  }

  public String describe() {
    return mysql ? "MySQL " + db.redactedUrl() : "Parquet under " + warehouseDir;
  }
}
