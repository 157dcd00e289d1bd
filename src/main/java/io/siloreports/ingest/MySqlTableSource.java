package io.siloreports.ingest;

import io.siloreports.db.Jdbc;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Readings from a MySQL raw table ({@link RawTable}), read incrementally by its increasing id: each micro-batch reads
 * the ids after the committed {@link TablePosition} (at most {@code maxRows} of them) plus its gaps, in one statement
 * on the driver, and the position after it commits with the batch's aggregates. A crash before that commit reads the
 * same ids again; after it, never again. Rows are JSON lines by then ({@link RawTable#lineExpression}), validated by
 * the stream's parser like any other source.
 *
 * <p>The report's hot part reads the same table by event time ({@link #batch}).
 */
public final class MySqlTableSource implements RawSource {
  private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
  /** DATETIME and TIMESTAMP columns are read as UTC (TIMESTAMP is converted to the session's zone). */
  private static final String UTC_SESSION = "SET time_zone = '+00:00'";
  /** The pipelines whose records the table holds: a row is a reading ({@link RawTable}). */
  private static final Set<Pipeline> SERVES = Set.of(Pipeline.SILO_READINGS);

  private final Jdbc db;
  private final RawTable table;
  private final int maxRows;
  private final Duration gapTimeout;

  public MySqlTableSource(Jdbc db, RawTable table, int maxRows, Duration gapTimeout) {
    this.db = db;
    this.table = table;
    this.maxRows = maxRows;
    this.gapTimeout = gapTimeout;
  }

  /** One batch of rows: their lines, and the position to commit with them. */
  public record Batch(Dataset<Row> lines, long rows, TablePosition position, List<TablePosition.Gap> abandoned) {}

  @Override
  public Dataset<Row> stream(SparkSession spark, Pipeline pipeline) {
    throw new UnsupportedOperationException("the MySQL raw table is read by position (next), not as a Spark stream");
  }

  /**
   * The rows after {@code position} (and in its gaps), at most {@code maxRows} new ids; null when there is nothing
   * new to commit.
   */
  public Batch next(SparkSession spark, Pipeline pipeline, TablePosition position, Instant now) {
    requireServes(pipeline);
    try (Connection c = db.connect(); Statement st = c.createStatement()) {
      st.execute(UTC_SESSION);
      long max;
      try (ResultSet rs = st.executeQuery("SELECT MAX(" + RawTable.quote(table.idColumn()) + ") FROM "
          + table.quotedTable())) {
        rs.next();
        max = rs.getLong(1);
      }
      long readTo = Math.max(position.upTo(), Math.min(max, position.upTo() + maxRows));
      List<Row> lines = new ArrayList<>();
      List<Long> ids = new ArrayList<>();
      if (readTo > position.upTo() || !position.gaps().isEmpty()) {
        read(c, position, readTo, lines, ids);
      }
      TablePosition.Advance advance =
          position.after(readTo, ids.stream().mapToLong(Long::longValue).toArray(), now, gapTimeout);
      if (lines.isEmpty() && advance.position().format().equals(position.format())) {
        return null;
      }
      return new Batch(spark.createDataFrame(lines, RawFileSource.LINES), lines.size(), advance.position(),
          advance.abandoned());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + describe(pipeline) + ": " + e.getMessage(), e);
    }
  }

  private void read(Connection c, TablePosition position, long readTo, List<Row> lines, List<Long> ids)
      throws SQLException {
    String id = RawTable.quote(table.idColumn());
    StringBuilder where = new StringBuilder("(" + id + " > ? AND " + id + " <= ?)");
    for (int i = 0; i < position.gaps().size(); i++) {
      where.append(" OR ").append(id).append(" BETWEEN ? AND ?");
    }
    String sql = "SELECT " + id + ", " + table.lineExpression() + ", " + table.sourceExpression() + " FROM "
        + table.quotedTable() + " WHERE " + where + " ORDER BY " + id;
    try (PreparedStatement st = c.prepareStatement(sql)) {
      int p = 1;
      st.setLong(p++, position.upTo());
      st.setLong(p++, readTo);
      for (TablePosition.Gap g : position.gaps()) {
        st.setLong(p++, g.from());
        st.setLong(p++, g.to());
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
          lines.add(RowFactory.create(rs.getString(2), rs.getString(3)));
        }
      }
    }
  }

  /** Rows with an event time in {@code [eventFrom, cutoff)}, as lines (the report's hot part). */
  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, Instant eventFrom, Instant cutoff) {
    requireServes(pipeline);
    String ts = RawTable.quote(table.tsColumn());
    return lines(spark, ts + " >= '" + sql(eventFrom) + "' AND " + ts + " < '" + sql(cutoff) + "'");
  }

  /** The table's rows matching {@code where} (SQL built here from typed values) as lines and their sources. */
  private Dataset<Row> lines(SparkSession spark, String where) {
    String query = "SELECT " + table.lineExpression() + " AS line, " + table.sourceExpression() + " AS source FROM "
        + table.quotedTable() + " WHERE " + where;
    return spark.read().format("jdbc")
        .options(db.sparkOptions())
        .option("query", query)
        .option("sessionInitStatement", UTC_SESSION)
        .load()
        .select("line", "source");
  }

  /**
   * Rows past the committed position (ids after it and in its gaps: the stream reads those again until they appear),
   * or the others, with an event time in the slice's window for them: the uncommitted side walks the id index from
   * the position, so its cost is the lag, not the table.
   */
  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, InputSlice slice, boolean committed) {
    if (!(slice.committed() instanceof CommittedInput.Table table)) {
      return RawSource.super.batch(spark, pipeline, slice, committed);
    }
    requireServes(pipeline);
    String id = RawTable.quote(this.table.idColumn());
    TablePosition position = table.position();
    StringBuilder past = new StringBuilder("(" + id + " > " + position.upTo());
    for (TablePosition.Gap g : position.gaps()) {
      past.append(" OR ").append(id).append(" BETWEEN ").append(g.from()).append(" AND ").append(g.to());
    }
    past.append(")");
    String ts = RawTable.quote(this.table.tsColumn());
    Instant from = committed ? slice.committedFrom() : slice.uncommittedFrom();
    return lines(spark, (committed ? "NOT " : "") + past + " AND " + ts + " >= '" + sql(from) + "' AND " + ts + " < '"
        + sql(slice.until()) + "'");
  }

  @Override
  public String describe(Pipeline pipeline) {
    return "MySQL " + table.describe() + " at " + db.redactedUrl();
  }

  /** Refuses a pipeline whose records the table does not hold, naming the settings that would serve it. */
  public void requireServes(Pipeline pipeline) {
    if (!SERVES.contains(pipeline)) {
      throw new Refused("source.type=mysql reads the readings table only; " + pipeline.id + " needs files or Kafka"
          + " (set stream.pipelines=silo-readings, or another source.type)");
    }
  }

  private static String sql(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(SQL_TIME);
  }
}
