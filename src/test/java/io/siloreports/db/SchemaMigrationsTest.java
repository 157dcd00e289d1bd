package io.siloreports.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigrationsTest {
  @TempDir Path tmp;

  @Test
  void appliesPendingVersionsOnceAndRefusesAnEditedOne() throws Exception {
    SchemaMigrations sqlite = new SchemaMigrations("sqlite", SchemaMigrations.Scope.JOB_STORE);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("m.db"))) {
      assertEquals(sqlite.all().size(), sqlite.pending(c).size());
      assertEquals(sqlite.all().size(), sqlite.migrate(c));
      assertEquals(0, sqlite.migrate(c), "a second run applies nothing");
      sqlite.requireCurrent(c);
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'report_jobs'")) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
      try (Statement st = c.createStatement()) {
        st.executeUpdate("UPDATE schema_version SET checksum = 'edited' WHERE version = 1");
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> sqlite.migrate(c));
      assertTrue(e.getMessage().contains("V1__report_jobs.sql was changed after it was applied"), e.getMessage());
    }
  }

  @Test
  void aDatabaseBehindTheBuildNamesTheCommandToRun() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("n.db"))) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> new SchemaMigrations("sqlite", SchemaMigrations.Scope.JOB_STORE).requireCurrent(c));
      assertTrue(e.getMessage().contains("silo-reports migrate"), e.getMessage());
      assertTrue(e.getMessage().startsWith("the report_jobs schema is behind this build"), e.getMessage());
    }
  }

  @Test
  void everyMysqlMigrationIsListedAndSplitsIntoStatements() {
    SchemaMigrations jobStore = new SchemaMigrations("mysql", SchemaMigrations.Scope.JOB_STORE);
    SchemaMigrations mysql = new SchemaMigrations("mysql", SchemaMigrations.Scope.AGGREGATES);
    assertEquals(List.of(1, 4, 6, 7, 8, 11, 12), jobStore.all().stream().map(SchemaMigrations.Migration::version).toList());
    assertEquals(List.of(2, 3, 5, 10), mysql.all().stream().map(SchemaMigrations.Migration::version).toList());
    List<String> v2 = SchemaMigrations.statements(mysql.all().get(0).sql());
    assertEquals(5, v2.size());
    assertTrue(v2.get(0).startsWith("CREATE TABLE IF NOT EXISTS silo_hourly_aggregates"), v2.get(0));
    assertTrue(v2.stream().noneMatch(s -> s.endsWith(";")));
  }
}
