package io.siloreports.api;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job quotas of {@link ApiAccessTest} with the job store on the embedded MariaDB: 20 creators at once. */
class ApiQuotaMySqlIT {
  @TempDir Path dir;

  @Test
  void quotasHoldExactlyOnMariaDb() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    String database = "quota_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Jdbc db = new Jdbc(mysql.jdbcUrl(database), mysql.appUser(), mysql.appPassword());
    SchemaPolicy.prepare(db, SchemaMigrations.Scope.JOB_STORE, true);
    try (ReportJobStore store = new JdbcReportJobStore(db, Clock.systemUTC(), "api")) {
      ApiAccessTest.quotasHoldExactlyUnderConcurrentCreators(store, dir);
    }
  }
}
