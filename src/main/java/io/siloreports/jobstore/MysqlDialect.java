package io.siloreports.jobstore;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * MySQL 8 and MariaDB: instants are DATETIME(3) holding UTC wall-clock time, bound as LocalDateTime so no
 * driver or server time zone can shift them.
 */
final class MysqlDialect implements SqlDialect {

  @Override
  public void prepareConnection(Connection connection) {}

  @Override
  public void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
    Jdbc.setUtc(statement, index, value == null ? null : value.truncatedTo(ChronoUnit.MILLIS));
  }

  @Override
  public Instant getInstant(ResultSet row, String column) throws SQLException {
    return Jdbc.getUtc(row, column);
  }

  @Override
  public boolean isDuplicateKey(SQLException e) {
    return e.getErrorCode() == 1062 || "23000".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("Duplicate");
  }
}
