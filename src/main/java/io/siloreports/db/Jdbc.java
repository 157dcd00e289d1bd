package io.siloreports.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection settings of one database. MySQL URLs get {@code rewriteBatchedStatements=true} (batched upserts
 * become multi-row statements) unless they say otherwise. The password is never part of what is logged.
 */
public record Jdbc(String url, String user, String password) {
  private static final Logger LOG = LoggerFactory.getLogger(Jdbc.class);

  public Jdbc {
    if (url.startsWith("jdbc:mysql:") && !url.contains("rewriteBatchedStatements")) {
      url = url + (url.contains("?") ? "&" : "?") + "rewriteBatchedStatements=true";
    }
  }

  /** A new connection; for a SQLite file, its directory is created first (the embedded default starts empty). */
  public Connection connect() throws SQLException {
    if (url.startsWith("jdbc:sqlite:")) {
      createSqliteDirectory();
    }
    return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
  }

  private void createSqliteDirectory() throws SQLException {
    String file = url.substring("jdbc:sqlite:".length());
    int q = file.indexOf('?');
    java.nio.file.Path parent = java.nio.file.Path.of(q >= 0 ? file.substring(0, q) : file).toAbsolutePath().getParent();
    try {
      if (parent != null) {
        java.nio.file.Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new SQLException("cannot create the directory of " + url + ": " + e.getMessage(), e);
    }
  }

  /** The properties Spark's JDBC source takes. */
  public Properties sparkProperties() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    if (url.startsWith("jdbc:mysql:")) {
      p.setProperty("driver", "com.mysql.cj.jdbc.Driver");
    }
    return p;
  }

  /** The same as options of Spark's {@code jdbc} format, the URL included. */
  public java.util.Map<String, String> sparkOptions() {
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    options.put("url", url);
    sparkProperties().forEach((k, v) -> options.put((String) k, (String) v));
    return options;
  }

  /**
   * Where the database is, for a message a person can act on: {@code MySQL at host:port/database} for a MySQL URL
   * (its query string left out: it may carry a password), else the redacted URL.
   */
  public String where() {
    if (url.startsWith("jdbc:mysql://")) {
      String rest = url.substring("jdbc:mysql://".length());
      int query = rest.indexOf('?');
      return "MySQL at " + (query < 0 ? rest : rest.substring(0, query));
    }
    return redactedUrl();
  }

  /**
   * The message of a failure to read or write {@code what} in this database: for an outage (see
   * {@link #isUnreachable}) {@code MySQL at host:port/db unreachable while <what>: <driver's message>}, naming the
   * database a person has to look at; otherwise {@code <what> failed in MySQL at ...: <message>}.
   */
  public String failure(String what, SQLException e) {
    return isUnreachable(e) ? where() + " unreachable while " + what + ": " + e.getMessage()
        : what + " failed in " + where() + ": " + e.getMessage();
  }

  public String redactedUrl() {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
  }

  /**
   * Whether the database could not be reached or the connection broke (SQLSTATE class 08, Connector/J's
   * communications failures, a refused or reset socket), as opposed to a statement the server refused: an outage to
   * wait out, not a defect.
   */
  public static boolean isUnreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.sql.SQLNonTransientConnectionException
          || t instanceof java.net.ConnectException || t instanceof java.net.SocketException
          || t instanceof java.io.EOFException // the server went away in the middle of a result
          || t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
        return true;
      }
    }
    return false;
  }

  /** Deadlocks (1213), lock-wait timeouts (1205) and serialization failures are worth another attempt. */
  public static boolean isRetryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && (s.getErrorCode() == 1213 || s.getErrorCode() == 1205 || "40001".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the server refused a value (too long, out of range, a character its column cannot hold, a bad date):
   * SQLSTATE class 22, or MySQL's and MariaDB's codes for it (some come with the generic HY000).
   */
  public static boolean isDataError(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (SQLException s = t instanceof SQLException q ? q : null; s != null; s = s.getNextException()) {
        int code = s.getErrorCode();
        if ((s.getSQLState() != null && s.getSQLState().startsWith("22"))
            || code == 1264 || code == 1265 || code == 1292 || code == 1366 || code == 1406 || code == 1690
            || code == 1048 || code == 3988) {
          return true;
        }
        if (s.getNextException() == s) {
          break;
        }
      }
    }
    return false;
  }

  /** Work done inside one transaction. */
  public interface Transaction<T> {
    T run(Connection c) throws SQLException;
  }

  /** Leaves the connection at the server's default isolation (REPEATABLE READ on MySQL and MariaDB). */
  public static final int DEFAULT_ISOLATION = -1;

  /**
   * Runs {@code work} in one transaction at {@code isolation} and commits it; rolls back on any failure. A
   * deadlock or lock-wait timeout ({@link #isRetryable}) runs it again, up to {@code maxAttempts} times with a
   * growing pause. {@code what} names the work in the log and the error ("commit batch 3 of silo-readings").
   */
  public <T> T inTransaction(int isolation, int maxAttempts, String what, Transaction<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = connect()) {
        if (isolation != DEFAULT_ISOLATION) {
          c.setTransactionIsolation(isolation);
        }
        c.setAutoCommit(false);
        try {
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        if (!isRetryable(e) || attempt >= maxAttempts) {
          throw new IllegalStateException("cannot " + what + " in " + redactedUrl() + " (attempt " + attempt + "): "
              + e.getMessage(), e);
        }
        LOG.warn("{}: {} (attempt {} of {}), retrying", what, e.getMessage(), attempt, maxAttempts);
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while retrying: " + what, ie);
        }
      }
    }
  }

  /** A UTC instant as the wall-clock value of a DATETIME column (bound as LocalDateTime: no zone shift). */
  public static LocalDateTime utc(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  /** Binds a UTC instant to a DATETIME parameter, or NULL. */
  public static void setUtc(PreparedStatement st, int index, Instant t) throws SQLException {
    if (t == null) {
      st.setNull(index, Types.TIMESTAMP);
    } else {
      st.setObject(index, utc(t));
    }
  }

  /** Reads a DATETIME column holding UTC wall-clock time; null for NULL. */
  public static Instant getUtc(ResultSet rs, int index) throws SQLException {
    LocalDateTime t = rs.getObject(index, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  /** The same, by column name. */
  public static Instant getUtc(ResultSet rs, String column) throws SQLException {
    LocalDateTime t = rs.getObject(column, LocalDateTime.class);
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  @Override
  public String toString() {
    return "Jdbc[" + redactedUrl() + ", user=" + user + "]";
  }
}
