package io.siloreports.jobstore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * What differs between databases for {@code report_jobs} (the DDL itself is a versioned migration under
 * {@code db/migration/<dialect>/}): database settings, per-connection settings, how an instant
 * is stored, and how a duplicate key is reported. The DML in {@link JdbcReportJobStore} is shared, so a new
 * database (MySQL) is one more implementation of this interface.
 */
interface SqlDialect {

  /** Applied to every new connection before it is used. */
  void prepareConnection(Connection connection) throws SQLException;

  /** Binds a UTC instant with millisecond precision, or SQL NULL. */
  void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException;

  /** Reads what {@link #setInstant} stored; null for SQL NULL. */
  Instant getInstant(ResultSet row, String column) throws SQLException;

  /** True when the statement failed because the primary key already exists. */
  boolean isDuplicateKey(SQLException e);

  static SqlDialect forUrl(String jdbcUrl) {
    return switch (io.siloreports.db.SchemaMigrations.dialectOf(jdbcUrl)) {
      case "sqlite" -> new SqliteDialect(jdbcUrl);
      default -> new MysqlDialect();
    };
  }
}
