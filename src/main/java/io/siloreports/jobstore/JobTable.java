package io.siloreports.jobstore;

import io.siloreports.db.ConnectionPool;
import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JDBC side of {@link JdbcReportJobStore}: pooled connections to the job store's database, transactions, statements
 * with typed parameters, {@code report_jobs} rows read into {@link ReportJob}s, and the history rows of
 * {@code report_job_events}. Every failure names the action and
 * the database (its URL without the query string, where a driver may carry a password), never a secret.
 */
final class JobTable implements AutoCloseable {
  static final String COLUMNS =
      "job_id, status, report_type, params, s3_key, s3_url, error_message, created_at, updated_at, started_at,"
          + " finished_at, requested_by, submitted_at, submit_ref, trigger_type, schedule_name, scheduled_for,"
          + " notified_at, request_id";
  /** As many as the report service has HTTP threads, plus its worker. */
  private static final int MAX_IDLE_CONNECTIONS = 17;

  /** Work done in one transaction. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final Jdbc db;
  private final SqlDialect dialect;
  private final ConnectionPool connections;
  private volatile boolean closed;

  JobTable(Jdbc db) {
    this.db = Objects.requireNonNull(db, "db");
    this.dialect = SqlDialect.forUrl(db.url());
    this.connections = new ConnectionPool(this::open, MAX_IDLE_CONNECTIONS);
  }

  SqlDialect dialect() {
    return dialect;
  }

  Connection connect() throws SQLException {
    if (closed) {
      throw new IllegalStateException("the report job store for " + redactedUrl() + " is closed");
    }
    return connections.borrow();
  }

  <T> T inTransaction(String action, String jobId, Work<T> work) {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure(action, jobId, e);
    }
  }

  /** The jobs {@code sql} selects ({@link #COLUMNS}). */
  List<ReportJob> query(String action, String jobId, String sql, Object... parameters) {
    try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
      bind(st, parameters);
      List<ReportJob> jobs = new ArrayList<>();
      try (ResultSet row = st.executeQuery()) {
        while (row.next()) {
          jobs.add(toJob(row));
        }
      }
      return jobs;
    } catch (SQLException e) {
      throw failure(action, jobId, e);
    }
  }

  /** The numbers of the first row {@code sql} selects (counts: a SUM over no rows is 0, not null). */
  long[] numbers(String action, String sql, Object... parameters) {
    try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
      bind(st, parameters);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        long[] out = new long[rs.getMetaData().getColumnCount()];
        for (int i = 0; i < out.length; i++) {
          out[i] = rs.getLong(i + 1);
        }
        return out;
      }
    } catch (SQLException e) {
      throw failure(action, null, e);
    }
  }

  /** Runs one statement; parameters are Strings, Integers, JobStatus values, Instants (via the dialect) or null. */
  int update(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      bind(statement, parameters);
      return statement.executeUpdate();
    }
  }

  void bind(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) {
      Object parameter = parameters[i];
      if (parameter instanceof Instant instant) {
        dialect.setInstant(statement, i + 1, instant);
      } else if (parameter instanceof JobStatus status) {
        statement.setString(i + 1, status.name());
      } else if (parameter instanceof Integer n) {
        statement.setInt(i + 1, n);
      } else {
        statement.setString(i + 1, (String) parameter);
      }
    }
  }

  /** Inserts a PENDING job row ({@code sql}) and its first event in one transaction; false when the id exists. */
  boolean insertJob(String jobId, String sql, Object[] params, Instant now, String actor, String detail) {
    try {
      return inTransaction("create", jobId, c -> {
        update(c, sql, params);
        event(c, jobId, now, null, JobStatus.PENDING, actor, detail);
        return true;
      });
    } catch (JobStoreException e) {
      if (e.getCause() instanceof SQLException cause && dialect.isDuplicateKey(cause)) {
        return false;
      }
      throw e;
    }
  }

  /** One row of a job's history, written in the caller's transaction. */
  void event(Connection c, String jobId, Instant at, JobStatus from, JobStatus to, String actor, String detail)
      throws SQLException {
    update(c, "INSERT INTO report_job_events (job_id, at, from_status, to_status, actor, detail)"
        + " VALUES (?, ?, ?, ?, ?, ?)", jobId, at, from, to, actor, detail);
  }

  /** The history of a job, oldest first. */
  List<JobEvent> events(String jobId) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement("SELECT id, job_id, at, from_status, to_status, actor, detail"
            + " FROM report_job_events WHERE job_id = ? ORDER BY id")) {
      st.setString(1, jobId);
      List<JobEvent> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String from = rs.getString("from_status");
          out.add(new JobEvent(rs.getLong("id"), rs.getString("job_id"), dialect.getInstant(rs, "at"),
              from == null ? null : JobStatus.valueOf(from), JobStatus.valueOf(rs.getString("to_status")),
              rs.getString("actor"), rs.getString("detail")));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read the events of", jobId, e);
    }
  }

  JobStoreException failure(String action, String jobId, SQLException e) {
    String what = jobId == null ? action : action + " report job " + jobId;
    return new JobStoreException("could not " + what + " in " + redactedUrl() + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    // Refusing later calls catches use after close.
    closed = true;
    connections.close();
  }

  private ReportJob toJob(ResultSet row) throws SQLException {
    return new ReportJob(
        row.getString("job_id"),
        JobStatus.valueOf(row.getString("status")),
        row.getString("report_type"),
        row.getString("params"),
        row.getString("s3_key"),
        row.getString("s3_url"),
        row.getString("error_message"),
        dialect.getInstant(row, "created_at"),
        dialect.getInstant(row, "updated_at"),
        dialect.getInstant(row, "started_at"),
        dialect.getInstant(row, "finished_at"),
        row.getString("requested_by"),
        dialect.getInstant(row, "submitted_at"),
        row.getString("submit_ref"),
        ReportJob.Trigger.valueOf(row.getString("trigger_type")),
        row.getString("schedule_name"),
        dialect.getInstant(row, "scheduled_for"),
        dialect.getInstant(row, "notified_at"),
        row.getString("request_id"));
  }

  private Connection open() throws SQLException {
    Connection c = db.connect();
    try {
      dialect.prepareConnection(c);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /** The URL without its query string, where drivers such as MySQL's may carry a password. */
  private String redactedUrl() {
    int query = db.url().indexOf('?');
    return query < 0 ? db.url() : db.url().substring(0, query);
  }

  /** See {@link ReportJobStore#counts}. */
  JobCounts counts() {
    Map<JobStatus, Map<ReportJob.Trigger, Long>> byStatus = new EnumMap<>(JobStatus.class);
    Map<JobStatus, Instant> oldest = new EnumMap<>(JobStatus.class);
    try (Connection c = connect(); Statement st = c.createStatement()) {
      // The first reads only the index report_jobs_status_trigger_created; the second the few unfinished rows.
      try (ResultSet rs = st.executeQuery("SELECT status, trigger_type, count(*) AS n FROM report_jobs"
          + " GROUP BY status, trigger_type")) {
        while (rs.next()) {
          byStatus.computeIfAbsent(JobStatus.valueOf(rs.getString("status")),
              s -> new EnumMap<>(ReportJob.Trigger.class)).put(ReportJob.Trigger.valueOf(rs.getString("trigger_type")), rs.getLong("n"));
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT status, min(updated_at) AS oldest FROM report_jobs"
          + " WHERE status IN ('PENDING', 'SUBMITTED', 'PROCESSING') GROUP BY status")) {
        while (rs.next()) {
          oldest.put(JobStatus.valueOf(rs.getString("status")), dialect.getInstant(rs, "oldest"));
        }
      }
    } catch (SQLException e) {
      throw failure("count the jobs by status", null, e);
    }
    return new JobCounts(byStatus, oldest);
  }
}
