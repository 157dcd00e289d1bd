package io.siloreports.store;

import static org.apache.spark.sql.functions.col;

import io.siloreports.db.Jdbc;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates in MySQL (or MariaDB), merged in place (SQL and binding in {@link MySqlAggregateRows}, shared with
 * the backfill). One micro-batch is one transaction on the driver:
 * lock the pipeline's {@code aggregation_progress} row, skip the batch if its id is already committed (a
 * replay), add the batch's partials to the stored ones ({@code sum = sum + new.sum}, {@code LEAST},
 * {@code GREATEST}, counts added, the rounded columns recomputed), insert its quarantine rows, move the
 * progress row, commit. The fence and the merges commit together, so a replay after a crash can neither
 * double count nor lose a batch. Partials are small (one row per key touched by the batch), so they are
 * streamed to the driver in key order (a fixed lock order avoids deadlocks between writers); deadlocks and
 * lock-wait timeouts are retried a bounded number of times.
 *
 * <p>The backfill's {@link #replaceRange} deletes a range of final hours and inserts absolute rows in one
 * transaction at READ COMMITTED. With binary logging on, MySQL then needs {@code binlog_format} ROW or MIXED (the
 * defaults of MySQL 8, MariaDB and RDS). Migration V3 indexes {@code bucket_counts(bucket_start)} so the range is a
 * range scan, not a table scan.
 */
public final class MySqlAggregateStore implements AggregateStore {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlAggregateStore.class);
  private static final int MAX_ATTEMPTS = 5;

  private final Supplier<SparkSession> spark;
  private final Jdbc db;
  private final MySqlProgressStore progress;

  public MySqlAggregateStore(SparkSession spark, Jdbc db, MySqlProgressStore progress) {
    this(() -> spark, db, progress);
  }

  /** With a session started only when a read needs Spark (a report may not). */
  public MySqlAggregateStore(Supplier<SparkSession> spark, Jdbc db, MySqlProgressStore progress) {
    this.spark = spark;
    this.db = db;
    this.progress = progress;
  }

  @Override
  public String describe() {
    return "MySQL " + db.redactedUrl();
  }

  @Override
  public void commit(
      Pipeline pipeline, List<Row> partials, Dataset<Row> quarantine, AggregationProgress next) {
    commit(pipeline, partials, quarantine::toLocalIterator, next);
  }

  @Override
  public void commit(Pipeline pipeline, List<Row> partials, List<Row> quarantine, AggregationProgress next) {
    commit(pipeline, partials, quarantine::iterator, next);
  }

  /** {@code quarantine}: its rows, once per attempt of the transaction. */
  private void commit(Pipeline pipeline, List<Row> partials, Supplier<Iterator<Row>> quarantine,
      AggregationProgress next) {
    db.inTransaction(Jdbc.DEFAULT_ISOLATION, MAX_ATTEMPTS, "commit batch " + next.batchId() + " of " + pipeline.id,
        c -> {
          Optional<AggregationProgress> stored = progress.lock(c, pipeline);
          if (stored.isPresent() && stored.get().batchId() >= next.batchId()) {
            c.rollback();
            LOG.info("{} batch {}: already committed in MySQL (last batch {}), skipping the replay",
                pipeline.id, next.batchId(), stored.get().batchId());
            return null;
          }
          Instant closed = stored.map(AggregationProgress::closedBefore).orElse(null);
          if (!Objects.equals(closed, next.closedBefore())) {
            c.rollback();
            throw new RevisionsClosed("a backfill closed the hours before " + closed + " for revision while the batch"
                + " was classified against " + next.closedBefore());
          }
          Timestamp now = Timestamp.from(next.updatedAt());
          long merged;
          try {
            merged = MySqlAggregateRows.write(c, pipeline, partials.iterator(), now,
                MySqlAggregateRows.Mode.MERGE);
          } catch (SQLException e) {
            if (!Jdbc.isDataError(e)) {
              throw e;
            }
            c.rollback();
            List<Rejection> rejected = rejectedRows(c, pipeline, partials, now);
            c.rollback();
            if (rejected.isEmpty()) {
              throw e;
            }
            throw new RowsRejected(rejected);
          }
          long quarantined = MySqlAggregateRows.insertQuarantine(c, quarantine.get());
          progress.write(c, next);
          LOG.debug("{} batch {}: merged {} keys, quarantined {} in MySQL", pipeline.id, next.batchId(), merged,
              quarantined);
          return null;
        });
  }

  /**
   * After the server refused a value somewhere in a batch: writes the rows one at a time, each under a savepoint,
   * to find which ones it refuses and why. The caller rolls everything back.
   */
  private static List<Rejection> rejectedRows(Connection c, Pipeline pipeline, List<Row> partials, Timestamp now)
      throws SQLException {
    List<Rejection> rejected = new ArrayList<>();
    for (Row row : partials) {
      Savepoint sp = c.setSavepoint();
      try {
        MySqlAggregateRows.write(c, pipeline, List.of(row).iterator(), now, MySqlAggregateRows.Mode.MERGE);
        c.releaseSavepoint(sp);
      } catch (SQLException e) {
        if (!Jdbc.isDataError(e)) {
          throw e;
        }
        c.rollback(sp);
        rejected.add(new Rejection(row, e.getMessage()));
      }
    }
    return rejected;
  }

  @Override
  public void requireRangeReplace() {}

  @Override
  public Optional<AggregationProgress> closeForRevision(Pipeline pipeline, Instant before) {
    return db.inTransaction(Jdbc.DEFAULT_ISOLATION, MAX_ATTEMPTS,
        "close the hours of " + pipeline.id + " before " + before + " for revision",
        c -> progress.closeBefore(c, pipeline, before));
  }

  @Override
  public Replaced replaceRange(Replacement chunk) {
    // READ COMMITTED: the range DELETE locks only the rows it deletes, never gaps or scanned rows of the open hours
    // the stream is writing meanwhile (at REPEATABLE READ a DELETE run as a table scan locks every row it scans).
    Replaced done = db.inTransaction(Connection.TRANSACTION_READ_COMMITTED, MAX_ATTEMPTS,
        "replace " + chunk.pipeline().id + " [" + chunk.from() + ", " + chunk.to() + ")", c -> {
          Replaced r = replaceOnce(c, chunk);
          if (r.skipped()) {
            c.rollback(); // nothing written; the commit that follows is empty
          }
          return r;
        });
    return done;
  }

  private Replaced replaceOnce(Connection c, Replacement chunk) throws SQLException {
    Pipeline p = chunk.pipeline();
    Optional<AggregationProgress> now = MySqlProgressStore.read(c, p, false);
    Instant fb = now.map(AggregationProgress::finalizedBefore).orElse(null);
    Instant closed = now.map(AggregationProgress::closedBefore).orElse(null);
    if (fb == null || closed == null
        ? !chunk.allowUnfinalized() : chunk.to().isAfter(fb) || chunk.to().isAfter(closed)) {
      throw new IllegalStateException(p.id + "'s finalized_before is now " + fb + " and its hours are closed for"
          + " revision before " + closed + ", not up to the end of the chunk " + chunk.to() + ": was the stream's"
          + " progress reset while the backfill ran? Nothing of this chunk was written.");
    }
    String time = PipelineDescriptor.of(p).aggregation().timeColumn();
    String range = " WHERE " + time + " >= ? AND " + time + " < ?";
    long stored = single(c, "SELECT COALESCE(SUM(record_count), 0) FROM " + p.table + range
        + MySqlAggregateTable.of(p).countedOnce(), chunk.from(), chunk.to());
    if (chunk.validRecords() < stored && !chunk.allowFewerRecords()) {
      return new Replaced(0, true, stored);
    }
    update(c, "DELETE FROM " + p.table + range, chunk.from(), chunk.to());
    long rows = MySqlAggregateRows.write(c, p, MySqlAggregateRows.inKeyOrder(p, chunk.partials()).toLocalIterator(),
        Timestamp.from(chunk.now()), MySqlAggregateRows.Mode.INSERT);
    update(c, "DELETE FROM quarantine WHERE pipeline = ? AND batch_id = " + BACKFILL_BATCH_ID
        + " AND event_ts >= ? AND event_ts < ?", p.id, chunk.from(), chunk.to());
    if (chunk.quarantine() != null) {
      MySqlAggregateRows.insertQuarantine(c, chunk.quarantine().toLocalIterator());
    }
    return new Replaced(rows, false, stored);
  }

  @Override
  public void replaceUntimedQuarantine(Pipeline pipeline, List<String> sources, Dataset<Row> rows) {
    db.inTransaction(Connection.TRANSACTION_READ_COMMITTED, 1, "write the untimed bad records of " + pipeline.id,
        c -> {
          try (PreparedStatement st = c.prepareStatement("DELETE FROM quarantine WHERE pipeline = ? AND batch_id = "
              + BACKFILL_BATCH_ID + " AND event_ts IS NULL AND source <=> ?")) {
            for (String s : sources) {
              st.setString(1, pipeline.id);
              st.setString(2, MySqlAggregateRows.sourceColumn(s));
              st.addBatch();
            }
            st.executeBatch();
          }
          MySqlAggregateRows.insertQuarantine(c, rows.toLocalIterator());
          return null;
        });
  }

  private static long single(Connection c, String sql, Instant from, Instant to) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      Jdbc.setUtc(st, 1, from);
      Jdbc.setUtc(st, 2, to);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof Instant t) {
          Jdbc.setUtc(st, i + 1, t);
        } else {
          st.setObject(i + 1, params[i]);
        }
      }
      st.executeUpdate();
    }
  }

  /**
   * One SQL statement, so one consistent read of InnoDB: every row as of one committed batch (the stream commits a
   * batch's merges and its progress in one transaction), never a mix of two. Hence no split into parallel range
   * reads, which would each see their own moment. Spark pushes the caller's filters (the report's hour range)
   * into that statement.
   */
  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    String query = MySqlAggregateTable.of(pipeline).selectPartials();
    return conform(read("(" + query + ") AS a"), PipelineDescriptor.of(pipeline).aggregation().partialSchema());
  }

  @Override
  public Optional<HourlyRowsInOrder> hourlyInSheetOrder(List<Integer> silos, Instant from, Instant to) {
    try {
      return Optional.of(new MySqlHourlyRows(db, silos, from, to));
    } catch (SQLException e) {
      throw new IllegalStateException(db.failure("opening the read of the report's hourly aggregates", e), e);
    }
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    // pipeline.id is one of the enum's constant ids, not input
    Dataset<Row> rows = read("(SELECT pipeline, batch_id, kind, reason, event_ts, line, source, quarantined_at"
        + " FROM quarantine WHERE pipeline = '" + pipeline.id + "') AS q");
    return conform(rows, Quarantine.SCHEMA);
  }

  /** Spark maps JDBC columns to close types; cast them to the schema the rest of the code expects. */
  private static Dataset<Row> conform(Dataset<Row> rows, StructType schema) {
    return rows.select(java.util.Arrays.stream(schema.fields())
        .map(f -> col(f.name()).cast(f.dataType()).as(f.name()))
        .toArray(org.apache.spark.sql.Column[]::new));
  }

  private Dataset<Row> read(String table) {
    return spark.get().read().jdbc(db.url(), table, db.sparkProperties());
  }
}
