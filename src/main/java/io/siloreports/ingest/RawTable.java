package io.siloreports.ingest;

import java.io.Serializable;
import java.util.regex.Pattern;

/**
 * A MySQL table of raw readings, as seed 000 keeps them ({@code silo_readings}: silo id, timestamp, value), with an
 * increasing id to read it by. Names are settings, so an existing table can be pointed at; they are checked to be
 * plain identifiers and quoted.
 *
 * <p>Rows become JSON lines in SQL ({@link #lineExpression}): the same text a Kafka topic or a file would carry, so
 * the stream's parser validates them with the same rules and reasons (a NULL is a missing field, a value beyond
 * DECIMAL(12,2) is out of range, ...). The timestamp is formatted by the server from the stored UTC wall-clock time,
 * so no time zone of the driver, Spark or the JVM takes part.
 */
public record RawTable(String table, String idColumn, String siloColumn, String tsColumn, String valueColumn)
    implements Serializable {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,63}");

  public RawTable {
    String[] parts = table.split("\\.", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("raw table must be <table> or <database>.<table>, got '" + table + "'");
    }
    for (String p : parts) {
      requireIdentifier("table", p);
    }
    requireIdentifier("id column", idColumn);
    requireIdentifier("silo column", siloColumn);
    requireIdentifier("timestamp column", tsColumn);
    requireIdentifier("value column", valueColumn);
  }

  private static void requireIdentifier(String what, String name) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("raw table " + what + " must be a plain identifier ([A-Za-z_][A-Za-z0-9_$]*),"
          + " got '" + name + "'");
    }
  }

  public String quotedTable() {
    return String.join(".", java.util.Arrays.stream(table.split("\\.")).map(RawTable::quote).toList());
  }

  public static String quote(String identifier) {
    return "`" + identifier + "`";
  }

  /** The row as the seed's JSON line: {@code {"silo_id": 3, "ts": "2026-11-20T14:37:23.120000Z", "value": 71.25}}. */
  public String lineExpression() {
    return "JSON_OBJECT('silo_id', " + quote(siloColumn) + ", 'ts', DATE_FORMAT(" + quote(tsColumn)
        + ", '%Y-%m-%dT%H:%i:%s.%fZ'), 'value', " + quote(valueColumn) + ")";
  }

  /** Where a row came from, for the quarantine: {@code mysql:<table>#<id>}. */
  public String sourceExpression() {
    return "CONCAT('mysql:" + table + "#', " + quote(idColumn) + ")";
  }

  public String describe() {
    return "table " + table + " (id " + idColumn + ", silo " + siloColumn + ", time " + tsColumn + ", value "
        + valueColumn + ")";
  }
}
