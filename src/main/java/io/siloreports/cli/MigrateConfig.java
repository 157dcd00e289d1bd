package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;

/**
 * The databases the {@code migrate} command brings up to date: the job store ({@code report_jobs}) and, when
 * {@code db.url} is set, the aggregates database (often the same).
 *
 * @param db the aggregates database, or null
 */
public record MigrateConfig(Jdbc jobStore, Jdbc db) {

  public static MigrateConfig from(Settings s) {
    return new MigrateConfig(Configs.jobStore(s), Configs.db(s));
  }
}
