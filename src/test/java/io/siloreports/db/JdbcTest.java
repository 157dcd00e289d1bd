package io.siloreports.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class JdbcTest {
  private final Jdbc mysql = new Jdbc("jdbc:mysql://db.example:3306/silo?password=secret&sslMode=DISABLED", "u", "p");

  @Test
  void whereNamesHostPortAndDatabaseWithoutTheQueryString() {
    assertEquals("MySQL at db.example:3306/silo", mysql.where());
    assertEquals("jdbc:sqlite:/tmp/jobs.db", new Jdbc("jdbc:sqlite:/tmp/jobs.db", null, null).where());
  }

  @Test
  void aConnectionLostInTheMiddleOfAResultIsAnOutageNamingTheDatabase() {
    // Connector/J's words when the server stops while a streamed result is read.
    SQLException lost = new SQLException("Error retrieving record: Unexpected Exception: java.io.EOFException",
        "S1000", new EOFException("Can not read response from server."));
    assertTrue(Jdbc.isUnreachable(lost));
    assertEquals("MySQL at db.example:3306/silo unreachable while reading the aggregates: " + lost.getMessage(),
        mysql.failure("reading the aggregates", lost));
    SQLException refused = new SQLException("Duplicate entry", "23000", 1062);
    assertFalse(Jdbc.isUnreachable(refused));
    assertEquals("writing failed in MySQL at db.example:3306/silo: Duplicate entry", mysql.failure("writing", refused));
  }
}
