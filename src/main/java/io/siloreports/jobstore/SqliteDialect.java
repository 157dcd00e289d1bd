package io.siloreports.jobstore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite, the embedded default: one database file shared by the report job and status commands.
 *
 * <p>Instants are fixed-width ISO-8601 text ({@code 2026-11-20T14:37:23.120Z}, always three fraction
 * digits) so that text order is time order; {@link Instant#toString()} drops zero fractions and would not sort.
 */
final class SqliteDialect implements SqlDialect {

  /** How long a connection waits for another connection's (or process's) write lock before failing. */
  static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private static final DateTimeFormatter INSTANT_TEXT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  SqliteDialect(String jdbcUrl) {
    // Every operation opens its own connection, so an in-memory database would be a new empty one each time.
    String target = jdbcUrl.substring("jdbc:sqlite:".length());
    if (target.isEmpty() || target.startsWith(":memory:") || target.contains("mode=memory")) {
      throw new IllegalArgumentException(
          "the report job store needs a SQLite database file (jdbc:sqlite:/path/jobs.db), not " + jdbcUrl);
    }
  }

  @Override
  public void prepareConnection(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
      // WAL lets readers (a status command) run while a writer holds the lock. It is a property of the file:
      // once set, this is a no-op read.
      statement.execute("PRAGMA journal_mode = WAL");
    }
  }

  @Override
  public void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
    statement.setString(index, value == null ? null : INSTANT_TEXT.format(value));
  }

  @Override
  public Instant getInstant(ResultSet row, String column) throws SQLException {
    String text = row.getString(column);
    return text == null ? null : Instant.parse(text);
  }

  @Override
  public boolean isDuplicateKey(SQLException e) {
    // The extended result code says which constraint failed; the plain error code (19) would also match
    // a NOT NULL or CHECK failure.
    return e instanceof SQLiteException sqlite
        && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
            || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
  }
}
