package io.siloreports.testing;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.ReportJobStore;
import java.nio.file.Path;
import java.time.Clock;

/** A real job store for a test: SQLite in the test's directory, its schema migrated. */
public final class JobStores {
  private JobStores() {}

  public static ReportJobStore sqlite(Path dir, Clock clock, String actor) {
    Jdbc db = new Jdbc("jdbc:sqlite:" + dir.resolve("jobs.db"), null, null);
    SchemaPolicy.prepare(db, SchemaMigrations.Scope.JOB_STORE, true);
    return new JdbcReportJobStore(db, clock, actor);
  }
}
