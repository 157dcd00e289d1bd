package io.siloreports.testing.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MariaDB server through mysql-connector-j, as the production JDBC code will use it. */
class EmbeddedMySqlIT {
  private static EmbeddedMySql mySql;

  @BeforeAll
  static void startServer() {
    mySql = SharedTestServers.mySql();
  }

  @Test
  void rootConnectsOverTcpToAMariaDbServerInUtc() throws SQLException {
    try (Connection c = mySql.rootConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT VERSION(), @@time_zone, DATABASE(), @@character_set_server")) {
      assertTrue(rs.next());
      assertTrue(rs.getString(1).contains("MariaDB"), rs.getString(1));
      assertEquals("+00:00", rs.getString(2));
      assertEquals(EmbeddedMySql.DEFAULT_DATABASE, rs.getString(3));
      assertEquals("utf8mb4", rs.getString(4));
    }
    assertTrue(mySql.jdbcUrl().startsWith("jdbc:mysql://127.0.0.1:" + mySql.port() + "/silo_reports"));
  }

  @Test
  void appUserWritesAndUpsertsInItsDatabase() throws SQLException {
    try (Connection c = mySql.appConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS servers_smoke");
      s.execute(
          "CREATE TABLE servers_smoke (silo_id INT NOT NULL, hour_start DATETIME NOT NULL,"
              + " sum_value DECIMAL(20,6) NOT NULL, record_count BIGINT NOT NULL, PRIMARY KEY (silo_id, hour_start))");
      s.execute("INSERT INTO servers_smoke VALUES (1, '2026-11-20 14:00:00', 10.5, 2)");
      // The upsert form both MySQL 8 and MariaDB accept.
      s.execute(
          "INSERT INTO servers_smoke VALUES (1, '2026-11-20 14:00:00', 4.25, 1)"
              + " ON DUPLICATE KEY UPDATE sum_value = sum_value + VALUES(sum_value),"
              + " record_count = record_count + VALUES(record_count)");
      try (ResultSet rs = s.executeQuery("SELECT sum_value, record_count FROM servers_smoke WHERE silo_id = 1")) {
        assertTrue(rs.next());
        assertEquals(0, new BigDecimal("14.75").compareTo(rs.getBigDecimal(1)));
        assertEquals(3, rs.getLong(2));
      }
    }
  }

  @Test
  void mariaDbRejectsMySql8RowAliasUpsert() throws SQLException {
    // A reminder for the sink code: MySQL 8.0.19+'s "INSERT ... AS new" is a syntax error on MariaDB.
    try (Connection c = mySql.appConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS alias_check (k INT PRIMARY KEY, v INT)");
      SQLException e =
          assertThrows(
              SQLException.class,
              () -> s.execute("INSERT INTO alias_check VALUES (1, 2) AS new ON DUPLICATE KEY UPDATE v = new.v"));
      assertEquals(1064, e.getErrorCode(), e.getMessage()); // ER_PARSE_ERROR
    }
  }

  @Test
  void wrongPasswordIsRefused() {
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection(mySql.jdbcUrl(), mySql.appUser(), mySql.appPassword() + "-wrong"));
    assertEquals(1045, e.getErrorCode(), e.getMessage()); // ER_ACCESS_DENIED_ERROR
    assertEquals("28000", e.getSQLState());
  }

  @Test
  void appUserCannotReachOtherDatabases() throws SQLException {
    try (Connection c = mySql.appConnection();
        Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> s.execute("CREATE DATABASE not_mine"));
      assertEquals(1044, e.getErrorCode(), e.getMessage()); // ER_DBACCESS_DENIED_ERROR
    }
  }
}
