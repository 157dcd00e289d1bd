package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema policy against MariaDB: a job store in a database that holds only {@code report_jobs}; with
 * {@code db.migrate-on-start=false}, {@code status} and {@code report} run without creating the aggregates
 * tables, and a job never migrates what it does not use.
 */
class SchemaPolicyIT {
  @TempDir Path dir;

  private static List<String> args(String command, Map<String, String> settings, String... extra) {
    List<String> a = new ArrayList<>(List.of(command));
    settings.forEach((k, v) -> {
      a.add("--conf");
      a.add(k + "=" + v);
    });
    a.addAll(List.of(extra));
    return a;
  }

  private static TreeSet<String> tables(EmbeddedMySql mysql, String database) throws Exception {
    TreeSet<String> out = new TreeSet<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
            + database + "'")) {
      while (rs.next()) {
        out.add(rs.getString(1).toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  @Test
  void statusAndReportUseAJobStoreWithoutAggregatesTablesAndCreateNone() throws Exception {
    LocalSpark.get(); // the report below joins the suite's session
    EmbeddedMySql mysql = SharedTestServers.mySql();
    String database = "jobs_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Map<String, String> m = Profiles.embedded(dir);
    m.put("jobstore.url", mysql.jdbcUrl(database));
    m.put("jobstore.user", mysql.appUser());
    m.put("jobstore.password", mysql.appPassword());
    m.put("db.migrate-on-start", "false");
    m.remove("report.job-id");

    assertEquals(Main.FAILED, Main.run(args("status", m).toArray(String[]::new)),
        "an unmigrated job store is refused, not created");
    assertEquals(new TreeSet<>(), tables(mysql, database), "a check creates nothing, not even schema_version");

    assertEquals(Main.DONE, Main.run(args("migrate", m).toArray(String[]::new)));
    assertEquals(new TreeSet<>(List.of("report_job_events", "report_jobs", "report_schedules", "schema_version")), tables(mysql, database),
        "migrate without db.url: the job store's tables only");

    assertEquals(Main.DONE, Main.run(args("status", m).toArray(String[]::new)));
    assertEquals(Main.DONE, Main.run(args("report", m, "--job-id", "no-aggregates").toArray(String[]::new)));
    assertEquals(new TreeSet<>(List.of("report_job_events", "report_jobs", "report_schedules", "schema_version")), tables(mysql, database),
        "status and report created nothing");
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT status FROM " + database + ".report_jobs WHERE job_id = 'no-aggregates'")) {
      assertTrue(rs.next());
      assertEquals("COMPLETED", rs.getString(1));
    }
  }
}
