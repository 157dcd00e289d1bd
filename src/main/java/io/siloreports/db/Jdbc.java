package io.siloreports.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Connection settings of one database. MySQL URLs get {@code rewriteBatchedStatements=true} (batched upserts
 * become multi-row statements) unless they say otherwise. The password is never part of what is logged.
 */
public record Jdbc(String url, String user, String password) {

  public Jdbc {
    if (url.startsWith("jdbc:mysql:") && !url.contains("rewriteBatchedStatements")) {
      url = url + (url.contains("?") ? "&" : "?") + "rewriteBatchedStatements=true";
    }
  }

  public Connection connect() throws SQLException {
    return user == null ? DriverManager.getConnection(url) : DriverManager.getConnection(url, user, password);
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

  public String redactedUrl() {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
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

  @Override
  public String toString() {
    return "Jdbc[" + redactedUrl() + ", user=" + user + "]";
  }
}
