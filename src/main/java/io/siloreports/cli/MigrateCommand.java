package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.jobstore.JobStores;
import java.sql.Connection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code migrate} command: applies the versioned schema migrations to the job store database and, when
 * configured, the MySQL database of {@code db.*} (often the same). Safe to run again: applied versions are
 * skipped, edited ones refused.
 */
final class MigrateCommand {
  private MigrateCommand() {}

  static int run(String[] args) throws Exception {
    Settings s = Settings.load(List.of(args), Map.of(), System.getenv());
    Set<Jdbc> targets = new LinkedHashSet<>();
    targets.add(JobStores.jdbc(s));
    if (s.find("db.url").isPresent()) {
      targets.add(StoreConfig.jdbc(s));
    }
    for (Jdbc db : targets) {
      if (db.url().startsWith("jdbc:sqlite:")) {
        JobStores.open(db).close(); // creates the file's directory like every job does
      }
      SchemaMigrations migrations = new SchemaMigrations(SchemaMigrations.dialectOf(db.url()));
      try (Connection c = db.connect()) {
        int applied = migrations.migrate(c);
        System.out.printf("%s: %d migration(s) applied, schema at version %d%n", db.redactedUrl(), applied,
            migrations.all().get(migrations.all().size() - 1).version());
      }
    }
    return 0;
  }
}
