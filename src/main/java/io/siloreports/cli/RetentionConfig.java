package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;

/** Everything {@code retention} reads: where the aggregates live (with the {@code retention.*} ages). */
public record RetentionConfig(StoreConfig store, boolean migrateOnStart) {
  public static RetentionConfig from(Settings s) {
    return new RetentionConfig(StoreConfig.from(s), s.get(Keys.DB_MIGRATE_ON_START));
  }
}
