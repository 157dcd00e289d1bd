package io.siloreports.store;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;

/**
 * One row of values written into an INSERT's text, for the aggregates' multi-row statements: numbers as digits,
 * exact decimals in plain notation, DATETIMEs as UTC wall-clock text (fractions to the microsecond, rounded as the
 * driver rounds them) and text as a hex literal in utf8mb4, which reads the same under every {@code sql_mode} (no
 * quoting or escaping to get wrong). Only typed values go in, never a caller's text as SQL: binding 14 parameters
 * per row through the driver cost more than the database's own work on 72,000 rows.
 */
final class SqlLiterals {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private final StringBuilder sql;
  private boolean first;

  SqlLiterals(StringBuilder sql) {
    this.sql = sql;
  }

  SqlLiterals open() {
    sql.append('(');
    first = true;
    return this;
  }

  SqlLiterals close() {
    sql.append(')');
    return this;
  }

  SqlLiterals number(long v) {
    next().append(v);
    return this;
  }

  /** A value already written as SQL by this class ({@link #decimal}, {@link #datetime}) or an expression of them. */
  SqlLiterals raw(String sqlText) {
    next().append(sqlText);
    return this;
  }

  SqlLiterals time(Timestamp t) {
    next().append(t == null ? "NULL" : datetime(t));
    return this;
  }

  SqlLiterals text(String s) {
    StringBuilder b = next();
    if (s == null) {
      b.append("NULL");
      return this;
    }
    b.append("_utf8mb4 X'");
    for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      b.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
    }
    b.append('\'');
    return this;
  }

  private StringBuilder next() {
    if (!first) {
      sql.append(", ");
    }
    first = false;
    return sql;
  }

  /** An exact decimal as SQL: its digits at its own scale, never an exponent. */
  static String decimal(BigDecimal v) {
    return v.toPlainString();
  }

  /** A DATETIME literal of {@code t}'s UTC wall-clock time, to the microsecond (rounded half up). */
  static String datetime(Timestamp t) {
    Instant at = t.toInstant();
    LocalDateTime d = MySqlAggregateRows.utc(Timestamp.from(at.plusNanos(500).truncatedTo(ChronoUnit.MICROS)));
    StringBuilder b = new StringBuilder(28).append('\'');
    pad(b, d.getYear(), 4).append('-');
    pad(b, d.getMonthValue(), 2).append('-');
    pad(b, d.getDayOfMonth(), 2).append(' ');
    pad(b, d.getHour(), 2).append(':');
    pad(b, d.getMinute(), 2).append(':');
    pad(b, d.getSecond(), 2);
    if (d.getNano() != 0) {
      pad(b.append('.'), d.getNano() / 1000, 6);
    }
    return b.append('\'').toString();
  }

  private static StringBuilder pad(StringBuilder b, int v, int width) {
    String digits = Integer.toString(v);
    for (int i = digits.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(digits);
  }
}
