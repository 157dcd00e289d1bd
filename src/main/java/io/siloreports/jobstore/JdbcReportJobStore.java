package io.siloreports.jobstore;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReportJobStore} over plain JDBC.
 *
 * <p>Each operation opens its own connection and closes it, so one instance is safe to share between threads,
 * and several processes can use the same database. Every write is a single auto-committed statement: on
 * SQLite such a statement takes the write lock when it starts, so the busy timeout covers all contention
 * (a multi-statement transaction would need BEGIN IMMEDIATE to be as safe). Every transition is one
 * conditional UPDATE that names the expected current status, and it succeeds only if it changed the row.
 */
public final class JdbcReportJobStore implements ReportJobStore {

  /** Longest error_message kept; fits a MySQL VARCHAR(4000) or TEXT as well as SQLite. */
  static final int MAX_ERROR_MESSAGE_CHARS = 4000;

  static final String NO_REASON_GIVEN = "(no reason given)";

  private static final Logger log = LoggerFactory.getLogger(JdbcReportJobStore.class);

  private static final String COLUMNS =
      "job_id, status, report_type, params, s3_key, s3_url, error_message,"
          + " created_at, updated_at, started_at, finished_at";

  private final Jdbc db;
  private final Clock clock;
  private final SqlDialect dialect;
  private volatile boolean closed;

  /** The schema is not this class's business: {@link io.siloreports.db.SchemaPolicy} prepares it. */
  public JdbcReportJobStore(Jdbc db, Clock clock) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.dialect = SqlDialect.forUrl(db.url());
  }

  @Override
  public ReportJob create(String jobId, String reportType, String paramsJson) {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reportType, "reportType");
    Instant now = now();
    String sql =
        "INSERT INTO report_jobs (job_id, status, report_type, params, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?)";
    try (Connection c = connect();
        PreparedStatement insert = c.prepareStatement(sql)) {
      insert.setString(1, jobId);
      insert.setString(2, JobStatus.PENDING.name());
      insert.setString(3, reportType);
      insert.setString(4, paramsJson);
      dialect.setInstant(insert, 5, now);
      dialect.setInstant(insert, 6, now);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (dialect.isDuplicateKey(e)) {
        throw new IllegalStateException("report job " + jobId + " already exists", e);
      }
      throw failure("create", jobId, e);
    }
    return new ReportJob(
        jobId, JobStatus.PENDING, reportType, paramsJson, null, null, null, now, now, null, null);
  }

  @Override
  public Optional<ReportJob> find(String jobId) {
    try (Connection c = connect();
        PreparedStatement select =
            c.prepareStatement("SELECT " + COLUMNS + " FROM report_jobs WHERE job_id = ?")) {
      select.setString(1, jobId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(toJob(row)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("find", jobId, e);
    }
  }

  @Override
  public List<ReportJob> list(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    // job_id breaks ties between jobs created in the same millisecond, so the order is stable.
    String sql =
        "SELECT " + COLUMNS + " FROM report_jobs ORDER BY created_at DESC, job_id DESC LIMIT ?";
    try (Connection c = connect();
        PreparedStatement select = c.prepareStatement(sql)) {
      select.setInt(1, limit);
      try (ResultSet row = select.executeQuery()) {
        List<ReportJob> jobs = new ArrayList<>();
        while (row.next()) {
          jobs.add(toJob(row));
        }
        return jobs;
      }
    } catch (SQLException e) {
      throw failure("list", null, e);
    }
  }

  @Override
  public boolean markProcessing(String jobId) {
    Instant now = now();
    return transition(
        "mark processing",
        jobId,
        "UPDATE report_jobs SET status = ?, started_at = ?, updated_at = ?"
            + " WHERE job_id = ? AND status = ?",
        JobStatus.PROCESSING, now, now, jobId, JobStatus.PENDING);
  }

  @Override
  public boolean markCompleted(String jobId, String s3Key, String s3Url) {
    Objects.requireNonNull(s3Key, "s3Key");
    Instant now = now();
    return transition(
        "mark completed",
        jobId,
        "UPDATE report_jobs SET status = ?, s3_key = ?, s3_url = ?, finished_at = ?, updated_at = ?"
            + " WHERE job_id = ? AND status = ?",
        JobStatus.COMPLETED, s3Key, s3Url, now, now, jobId, JobStatus.PROCESSING);
  }

  @Override
  public boolean markFailed(String jobId, String errorMessage) {
    Instant now = now();
    return transition(
        "mark failed",
        jobId,
        "UPDATE report_jobs SET status = ?, error_message = ?, finished_at = ?, updated_at = ?"
            + " WHERE job_id = ? AND status IN (?, ?)",
        JobStatus.FAILED, storableReason(errorMessage), now, now, jobId,
        JobStatus.PENDING, JobStatus.PROCESSING);
  }

  @Override
  public boolean markExpired(String jobId) {
    return transition(
        "mark expired",
        jobId,
        "UPDATE report_jobs SET status = ?, updated_at = ? WHERE job_id = ? AND status = ?",
        JobStatus.EXPIRED, now(), jobId, JobStatus.COMPLETED);
  }

  @Override
  public boolean updateUrl(String jobId, String s3Url) {
    return transition(
        "update the URL of",
        jobId,
        "UPDATE report_jobs SET s3_url = ?, updated_at = ? WHERE job_id = ? AND status = ?",
        s3Url, now(), jobId, JobStatus.COMPLETED);
  }

  @Override
  public int reapStuck(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Instant now = now();
    Instant startedBefore = now.minus(timeout);
    try (Connection c = connect()) {
      // Read the candidates, then fail each with its own conditional UPDATE: a job that completes in between
      // is no longer PROCESSING and is left alone.
      List<ReportJob> stuck = new ArrayList<>();
      try (PreparedStatement select =
          c.prepareStatement(
              "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ? AND started_at < ?")) {
        select.setString(1, JobStatus.PROCESSING.name());
        dialect.setInstant(select, 2, startedBefore);
        try (ResultSet row = select.executeQuery()) {
          while (row.next()) {
            stuck.add(toJob(row));
          }
        }
      }
      int reaped = 0;
      for (ReportJob job : stuck) {
        String reason =
            "timed out: PROCESSING for more than " + timeout + " (started " + job.startedAt() + ")";
        int changed =
            update(
                c,
                "UPDATE report_jobs SET status = ?, error_message = ?, finished_at = ?, updated_at = ?"
                    + " WHERE job_id = ? AND status = ?",
                JobStatus.FAILED, reason, now, now, job.jobId(), JobStatus.PROCESSING);
        if (changed == 1) {
          reaped++;
          log.warn(
              "Reaped report job {}: it was PROCESSING since {}, longer than the timeout {}; marked FAILED."
                  + " Look for why its report run stopped (driver log, EMR step or Airflow task).",
              job.jobId(), job.startedAt(), timeout);
        }
      }
      return reaped;
    } catch (SQLException e) {
      throw failure("reap stuck jobs", null, e);
    }
  }

  @Override
  public void close() {
    // Nothing is held between operations; refusing later calls catches use after close.
    closed = true;
  }

  /** A reason that is never null or blank and never longer than {@link #MAX_ERROR_MESSAGE_CHARS}. */
  static String storableReason(String errorMessage) {
    if (errorMessage == null || errorMessage.isBlank()) {
      return NO_REASON_GIVEN;
    }
    if (errorMessage.length() <= MAX_ERROR_MESSAGE_CHARS) {
      return errorMessage;
    }
    String marker = " ... [truncated, " + errorMessage.length() + " characters in total]";
    int keep = MAX_ERROR_MESSAGE_CHARS - marker.length();
    if (Character.isHighSurrogate(errorMessage.charAt(keep - 1))) {
      keep--; // do not split a surrogate pair
    }
    return errorMessage.substring(0, keep) + marker;
  }

  private boolean transition(String action, String jobId, String sql, Object... parameters) {
    try (Connection c = connect()) {
      return update(c, sql, parameters) == 1;
    } catch (SQLException e) {
      throw failure(action, jobId, e);
    }
  }

  /** Runs one statement; parameters are Strings, JobStatus values or Instants (via the dialect). */
  private int update(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        Object parameter = parameters[i];
        if (parameter instanceof Instant instant) {
          dialect.setInstant(statement, i + 1, instant);
        } else if (parameter instanceof JobStatus status) {
          statement.setString(i + 1, status.name());
        } else {
          statement.setString(i + 1, (String) parameter);
        }
      }
      return statement.executeUpdate();
    }
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
        dialect.getInstant(row, "finished_at"));
  }

  private Connection connect() throws SQLException {
    if (closed) {
      throw new IllegalStateException("the report job store for " + redactedUrl() + " is closed");
    }
    Connection c = db.connect();
    try {
      dialect.prepareConnection(c);
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /** Stored times have millisecond precision, so the instants handed out match what is read back. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private JobStoreException failure(String action, String jobId, SQLException e) {
    String what = jobId == null ? action : action + " report job " + jobId;
    return new JobStoreException(
        "could not " + what + " in " + redactedUrl() + ": " + e.getMessage(), e);
  }

  /** The URL without its query string, where drivers such as MySQL's may carry a password. */
  private String redactedUrl() {
    int query = db.url().indexOf('?');
    return query < 0 ? db.url() : db.url().substring(0, query);
  }
}
