package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations.Scope;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code migrate}: applies the versioned schema migrations: {@code report_jobs} to the job store database and, when
 * {@code db.url} is set, the aggregates tables to that database (often the same). Safe to run again: applied
 * versions are skipped, edited ones refused.
 */
final class MigrateCommand extends Command {
  MigrateCommand() {
    super("migrate",
        "apply the versioned schema migrations to the job store and the MySQL aggregates database",
        CONSOLE);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    MigrateConfig config = MigrateConfig.from(settings);
    List<String> done = new ArrayList<>();
    done.add(migrate(config.jobStore(), Scope.JOB_STORE));
    if (config.db() != null) {
      done.add(migrate(config.db(), Scope.AGGREGATES));
    }
    return new Done(true, String.join("\n", done));
  }

  private static String migrate(Jdbc db, Scope scope) {
    int applied = SchemaPolicy.migrate(db, scope);
    return db.redactedUrl() + ": " + scope.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " schema, "
        + applied + " migration(s) applied";
  }
}
