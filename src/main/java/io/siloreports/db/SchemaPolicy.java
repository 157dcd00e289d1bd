package io.siloreports.db;

import io.siloreports.db.SchemaMigrations.Scope;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides whether a job changes a schema: only the {@code migrate} command and jobs run with
 * {@code db.migrate-on-start=true} apply migrations; every other job checks the version of each scope it uses and
 * stops with a message naming {@code migrate}. A job touches only the scopes it uses (the report's job store is
 * never given the aggregates tables).
 */
public final class SchemaPolicy {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaPolicy.class);

  private SchemaPolicy() {}

  /** Applies the pending migrations of {@code scope} when {@code migrate} is set, else fails if any is pending. */
  public static void prepare(Jdbc db, Scope scope, boolean migrate) {
    if (migrate) {
      migrate(db, scope);
      return;
    }
    SchemaMigrations migrations = new SchemaMigrations(SchemaMigrations.dialectOf(db.url()), scope);
    try (Connection c = db.connect()) {
      migrations.requireCurrent(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the schema of " + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }

  /** Applies the pending migrations of {@code scope}; returns how many. */
  public static int migrate(Jdbc db, Scope scope) {
    SchemaMigrations migrations = new SchemaMigrations(SchemaMigrations.dialectOf(db.url()), scope);
    try (Connection c = db.connect()) {
      int applied = migrations.migrate(c);
      LOG.info("{} schema in {}: {} migration(s) applied, at version {}", scope, db.redactedUrl(), applied,
          migrations.currentVersion());
      return applied;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot migrate the schema of " + db.redactedUrl() + ": " + e.getMessage(), e);
    }
  }
}
