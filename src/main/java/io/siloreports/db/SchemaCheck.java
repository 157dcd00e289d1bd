package io.siloreports.db;

import java.sql.Connection;
import java.sql.SQLException;

/** The check every job that uses MySQL does at start: the schema matches this build (or is brought up to it). */
public final class SchemaCheck {
  private SchemaCheck() {}

  /** Applies pending migrations when {@code migrate} is set, else fails naming the command to run. */
  public static void requireCurrent(Jdbc db, boolean migrate) {
    SchemaMigrations migrations = new SchemaMigrations(SchemaMigrations.dialectOf(db.url()));
    try (Connection c = db.connect()) {
      if (migrate) {
        migrations.migrate(c);
      } else {
        migrations.requireCurrent(c);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the schema of " + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }
}
