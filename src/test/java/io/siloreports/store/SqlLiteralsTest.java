package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The values the aggregates' multi-row statements carry as text. What the server makes of them is shown by the ITs
 * that commit through {@link MySqlAggregateStore} (MySqlRetentionIT, ProductionPathIT) and the ingest benchmark's
 * row-by-row comparison with a program that binds parameters through the driver.
 */
class SqlLiteralsTest {
  @Test
  void datetimesAreUtcWallClockToTheMicrosecondRoundedHalfUp() {
    assertEquals("'2026-01-03 23:00:00'", SqlLiterals.datetime(Timestamp.from(Instant.parse("2026-01-03T23:00:00Z"))));
    assertEquals("'0999-12-31 01:02:03.040000'",
        SqlLiterals.datetime(Timestamp.from(Instant.parse("0999-12-31T01:02:03.04Z"))));
    assertEquals("'2026-01-03 23:59:59.999999'",
        SqlLiterals.datetime(Timestamp.from(Instant.parse("2026-01-03T23:59:59.999999499Z"))));
    assertEquals("'2026-01-04 00:00:00'",
        SqlLiterals.datetime(Timestamp.from(Instant.parse("2026-01-03T23:59:59.9999995Z"))));
  }

  @Test
  void decimalsKeepTheirScaleAndNeverAnExponent() {
    assertEquals("12345678901234567890.1234500000", SqlLiterals.decimal(new BigDecimal("1.23456789012345678901234500000E+19")));
    assertEquals("-0.0000000100", SqlLiterals.decimal(new BigDecimal("-1.00E-8").setScale(10)));
  }

  @Test
  void aRowOfValuesWithTextAsUtf8HexAndNulls() {
    String text = "O'Brien \\ \"x\" \u0000 Zürich 😀";
    StringBuilder sql = new StringBuilder();
    new SqlLiterals(sql).open().number(-7).text(text).text("").text(null).time(null).raw("ROUND(1.50, 2)").close()
        .open().number(1).close();
    assertEquals("(-7, _utf8mb4 X'" + HexFormat.of().withUpperCase().formatHex(text.getBytes(StandardCharsets.UTF_8))
        + "', _utf8mb4 X'', NULL, NULL, ROUND(1.50, 2))(1)", sql.toString());
  }
}
