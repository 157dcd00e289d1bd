package io.siloreports.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionPoolTest {
  @TempDir Path dir;

  private final List<Connection> opened = new ArrayList<>();
  private ConnectionPool pool;

  @BeforeEach
  void pool() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("pool.db");
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v INTEGER)");
    }
    pool = new ConnectionPool(() -> {
      Connection c = DriverManager.getConnection(url);
      opened.add(c);
      return c;
    }, 2);
  }

  @Test
  void aConnectionHandedBackIsTheNextOneBorrowed() throws SQLException {
    try (Connection c = pool.borrow()) {
      count(c);
    }
    try (Connection c = pool.borrow()) {
      count(c);
    }
    assertEquals(1, opened.size());
    assertEquals(1, pool.idleConnections());
  }

  @Test
  void aTransactionLeftOpenIsRolledBackAndAutoCommitRestored() throws SQLException {
    try (Connection c = pool.borrow(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t VALUES (1)");
      // no commit: an exception path would leave it so
    }
    try (Connection c = pool.borrow()) {
      assertTrue(c.getAutoCommit());
      assertEquals(0, count(c));
    }
    assertEquals(1, opened.size());
  }

  @Test
  void aConnectionThatBrokeWhileIdleIsReplaced() throws SQLException {
    try (Connection c = pool.borrow()) {
      count(c);
    }
    opened.get(0).close(); // as a server restart would
    try (Connection c = pool.borrow()) {
      assertEquals(0, count(c));
    }
    assertEquals(2, opened.size());
  }

  @Test
  void noMoreThanMaxIdleAreKeptAndAClosedPoolKeepsNone() throws SQLException {
    Connection a = pool.borrow();
    Connection b = pool.borrow();
    Connection c = pool.borrow();
    a.close();
    b.close();
    c.close();
    assertEquals(3, opened.size());
    assertEquals(2, pool.idleConnections());
    assertTrue(opened.get(2).isClosed(), "the third beyond maxIdle is closed");
    Connection d = pool.borrow();
    pool.close();
    assertEquals(0, pool.idleConnections());
    d.close();
    assertEquals(0, pool.idleConnections());
    for (Connection raw : opened) {
      assertTrue(raw.isClosed());
    }
  }

  @Test
  void aConnectionHandedBackCannotBeUsedAgain() throws SQLException {
    Connection c = pool.borrow();
    c.close();
    c.close(); // twice is harmless and does not hand it back twice
    assertEquals(1, pool.idleConnections());
    assertTrue(c.isClosed());
    assertThrows(SQLException.class, c::createStatement);
    try (Connection again = pool.borrow()) {
      assertFalse(again.isClosed());
    }
  }

  private static int count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
