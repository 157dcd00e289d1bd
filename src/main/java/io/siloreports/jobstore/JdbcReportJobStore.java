package io.siloreports.jobstore;

import io.siloreports.db.ConnectionPool;
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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReportJobStore} over plain JDBC (SQLite, MySQL, MariaDB).
 *
 * <p>Each operation opens its own connection and closes it, so one instance is safe to share between threads, and
 * several processes can use the same database. A transition is a conditional UPDATE naming the status it expects,
 * followed by its event row, in one transaction; it succeeds only if it changed the row. The UPDATE comes first, so
 * on SQLite the transaction takes the write lock at its first statement and the busy timeout covers all contention.
 *
 * <p>Longer than most files: every transition of the life cycle, the queries the worker and the API need, and the
 * event history belong to this one table pair.
 */
public final class JdbcReportJobStore implements ReportJobStore {

  /** Longest error_message kept; fits a MySQL TEXT as well as SQLite. */
  static final int MAX_ERROR_MESSAGE_CHARS = 4000;

  static final String NO_REASON_GIVEN = "(no reason given)";

  private static final Logger log = LoggerFactory.getLogger(JdbcReportJobStore.class);

  private static final String COLUMNS =
      "job_id, status, report_type, params, s3_key, s3_url, error_message, created_at, updated_at, started_at,"
          + " finished_at, requested_by, submitted_at, submit_ref, trigger_type, schedule_name, scheduled_for,"
          + " notified_at";
  /** As many as the report service has HTTP threads, plus its worker. */
  private static final int MAX_IDLE_CONNECTIONS = 17;
  private static final String FAIL_SET = "status = ?, error_message = ?, finished_at = ?, updated_at = ?";

  private final Jdbc db;
  private final Clock clock;
  private final SqlDialect dialect;
  private final String actor;
  private final ConnectionPool connections;
  private volatile boolean closed;

  /** The schema is not this class's business: {@link io.siloreports.db.SchemaPolicy} prepares it. */
  public JdbcReportJobStore(Jdbc db, Clock clock, String actor) {
    this(db, clock, actor, null);
  }

  private JdbcReportJobStore(Jdbc db, Clock clock, String actor, ConnectionPool shared) {
    this.db = Objects.requireNonNull(db, "db");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = Objects.requireNonNull(actor, "actor");
    this.dialect = SqlDialect.forUrl(db.url());
    // One pool per store and the stores made from it by as(): the service's HTTP threads and its worker share it.
    this.connections = shared != null ? shared : new ConnectionPool(this::open, MAX_IDLE_CONNECTIONS);
  }

  /** A store acting as this process ({@code pid 42@host}). */
  public JdbcReportJobStore(Jdbc db, Clock clock) {
    this(db, clock, thisProcess());
  }

  /** {@code pid <pid>@<host>}: who a process is, in events and submit references. */
  public static String thisProcess() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return "pid " + ProcessHandle.current().pid() + "@" + host;
  }

  @Override
  public ReportJobStore as(String otherActor) {
    return new JdbcReportJobStore(db, clock, otherActor, connections);
  }

  @Override
  public ReportJob create(String jobId, String reportType, String paramsJson, String requestedBy) {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reportType, "reportType");
    Instant now = now();
    if (!insert(jobId, "INSERT INTO report_jobs (job_id, status, report_type, params, created_at, updated_at,"
            + " requested_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        new Object[] {jobId, JobStatus.PENDING, reportType, paramsJson, now, now, requestedBy}, now,
        requestedBy == null ? null : "requested by " + requestedBy)) {
      throw new IllegalStateException("report job " + jobId + " already exists");
    }
    return new ReportJob(jobId, JobStatus.PENDING, reportType, paramsJson, null, null, null, now, now, null, null,
        requestedBy, null, null, ReportJob.Trigger.ADHOC, null, null, null);
  }

  @Override
  public Optional<ReportJob> createScheduled(String jobId, String reportType, String paramsJson, String scheduleName,
      Instant scheduledFor) {
    Instant now = now();
    String by = "schedule:" + scheduleName;
    if (!insert(jobId, "INSERT INTO report_jobs (job_id, status, report_type, params, created_at, updated_at,"
            + " requested_by, trigger_type, schedule_name, scheduled_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new Object[] {jobId, JobStatus.PENDING, reportType, paramsJson, now, now, by,
            ReportJob.Trigger.SCHEDULED.name(), scheduleName, scheduledFor},
        now, "scheduled run of " + scheduleName + " for " + scheduledFor)) {
      return Optional.empty(); // another worker created this run (same job id, or same schedule and tick)
    }
    return Optional.of(new ReportJob(jobId, JobStatus.PENDING, reportType, paramsJson, null, null, null, now, now,
        null, null, by, null, null, ReportJob.Trigger.SCHEDULED, scheduleName, scheduledFor, null));
  }

  @Override
  public Optional<Instant> lastScheduledRun(String scheduleName) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement("SELECT scheduled_for FROM report_jobs WHERE schedule_name = ?"
            + " ORDER BY scheduled_for DESC LIMIT 1")) {
      st.setString(1, scheduleName);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.ofNullable(dialect.getInstant(rs, "scheduled_for")) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read the last run of schedule " + scheduleName, null, e);
    }
  }

  @Override
  public Optional<ReportJob> find(String jobId) {
    List<ReportJob> found = query("find", jobId, "SELECT " + COLUMNS + " FROM report_jobs WHERE job_id = ?", jobId);
    return found.stream().findFirst();
  }

  @Override
  public List<ReportJob> list(JobStatus status, int limit, int offset) {
    if (limit <= 0 || offset < 0) {
      throw new IllegalArgumentException("limit must be positive and offset not negative, got " + limit + ", "
          + offset);
    }
    // job_id breaks ties between jobs created in the same millisecond, so the order is stable.
    String order = " ORDER BY created_at DESC, job_id DESC LIMIT ? OFFSET ?";
    return status == null
        ? query("list", null, "SELECT " + COLUMNS + " FROM report_jobs" + order, limit, offset)
        : query("list", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?" + order, status, limit, offset);
  }

  @Override
  public long count(JobStatus status) {
    String sql = "SELECT count(*) FROM report_jobs" + (status == null ? "" : " WHERE status = ?");
    try (Connection c = connect(); PreparedStatement st = c.prepareStatement(sql)) {
      if (status != null) {
        st.setString(1, status.name());
      }
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw failure("count", null, e);
    }
  }

  @Override
  public List<ReportJob> pending(int limit) {
    return query("list pending", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " ORDER BY CASE WHEN trigger_type = 'ADHOC' THEN 0 ELSE 1 END, created_at, job_id LIMIT ?",
        JobStatus.PENDING, limit);
  }

  @Override
  public List<ReportJob> submitted() {
    return query("list submitted", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " ORDER BY submitted_at, job_id", JobStatus.SUBMITTED);
  }

  @Override
  public List<JobEvent> events(String jobId) {
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

  @Override
  public boolean markSubmitted(String jobId, String submitRef) {
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PENDING), JobStatus.SUBMITTED, submitRef,
        "status = ?, submitted_at = ?, submit_ref = ?, updated_at = ?", JobStatus.SUBMITTED, now, submitRef, now);
  }

  @Override
  public boolean updateSubmitRef(String jobId, String submitRef) {
    try (Connection c = connect()) {
      return update(c, "UPDATE report_jobs SET submit_ref = ?, updated_at = ? WHERE job_id = ? AND status IN (?, ?)",
          submitRef, now(), jobId, JobStatus.SUBMITTED, JobStatus.PROCESSING) == 1;
    } catch (SQLException e) {
      throw failure("record the run of", jobId, e);
    }
  }

  @Override
  public boolean requeue(String jobId, String reason) {
    return transition(jobId, Set.of(JobStatus.SUBMITTED), JobStatus.PENDING, reason,
        "status = ?, submitted_at = NULL, submit_ref = NULL, updated_at = ?", JobStatus.PENDING, now());
  }

  @Override
  public boolean markProcessing(String jobId) {
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PENDING, JobStatus.SUBMITTED), JobStatus.PROCESSING, null,
        "status = ?, started_at = ?, updated_at = ?", JobStatus.PROCESSING, now, now);
  }

  @Override
  public boolean markCompleted(String jobId, String s3Key, String s3Url) {
    return markCompleted(jobId, s3Key, s3Url, null);
  }

  @Override
  public boolean markCompleted(String jobId, String s3Key, String s3Url, String summaryJson) {
    Objects.requireNonNull(s3Key, "s3Key");
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PROCESSING), JobStatus.COMPLETED, s3Key,
        "status = ?, s3_key = ?, s3_url = ?, summary = ?, finished_at = ?, updated_at = ?",
        JobStatus.COMPLETED, s3Key, s3Url, summaryJson, now, now);
  }

  @Override
  public Optional<String> summary(String jobId) {
    try (Connection c = connect();
        PreparedStatement st = c.prepareStatement("SELECT summary FROM report_jobs WHERE job_id = ?")) {
      st.setString(1, jobId);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read the summary of", jobId, e);
    }
  }

  @Override
  public boolean markFailed(String jobId, String errorMessage) {
    Instant now = now();
    String reason = storableReason(errorMessage);
    return transition(jobId, Set.of(JobStatus.PENDING, JobStatus.SUBMITTED, JobStatus.PROCESSING), JobStatus.FAILED,
        reason, FAIL_SET, JobStatus.FAILED, reason, now, now);
  }

  @Override
  public boolean markExpired(String jobId) {
    return markExpired(jobId, "the report object is gone");
  }

  @Override
  public boolean markExpired(String jobId, String reason) {
    return transition(jobId, Set.of(JobStatus.COMPLETED), JobStatus.EXPIRED, reason,
        "status = ?, updated_at = ?", JobStatus.EXPIRED, now());
  }

  @Override
  public List<ReportJob> completedBefore(Instant finishedBefore, int limit) {
    return query("list old reports", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " AND finished_at < ? ORDER BY finished_at, job_id LIMIT ?", JobStatus.COMPLETED, finishedBefore, limit);
  }

  @Override
  public int prune(Instant updatedBefore) {
    return inTransaction("prune old report jobs", null, c -> {
      String old = "SELECT job_id FROM report_jobs WHERE status IN (?, ?, ?) AND updated_at < ?";
      update(c, "DELETE FROM report_job_events WHERE job_id IN (" + old + ")", JobStatus.COMPLETED, JobStatus.FAILED,
          JobStatus.EXPIRED, updatedBefore);
      return update(c, "DELETE FROM report_jobs WHERE status IN (?, ?, ?) AND updated_at < ?", JobStatus.COMPLETED,
          JobStatus.FAILED, JobStatus.EXPIRED, updatedBefore);
    });
  }

  @Override
  public List<ReportJob> toNotify(Instant finishedSince, int limit) {
    return query("list jobs to notify", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status IN (?, ?)"
        + " AND notified_at IS NULL AND finished_at >= ? ORDER BY finished_at, job_id LIMIT ?", JobStatus.COMPLETED,
        JobStatus.FAILED, finishedSince, limit);
  }

  @Override
  public boolean claimNotification(String jobId) {
    try (Connection c = connect()) {
      return update(c, "UPDATE report_jobs SET notified_at = ? WHERE job_id = ? AND notified_at IS NULL", now(),
          jobId) == 1;
    } catch (SQLException e) {
      throw failure("claim the notifications of", jobId, e);
    }
  }

  @Override
  public void note(String jobId, String detail) {
    Optional<ReportJob> job = find(jobId);
    if (job.isPresent()) {
      inTransaction("note an event of", jobId, c -> {
        event(c, jobId, now(), job.get().status(), job.get().status(), detail);
        return null;
      });
    }
  }

  /** Work done in one transaction of this store. */
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(String action, String jobId, Work<T> work) {
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

  @Override
  public boolean updateUrl(String jobId, String s3Url) {
    try (Connection c = connect()) {
      return update(c, "UPDATE report_jobs SET s3_url = ?, updated_at = ? WHERE job_id = ? AND status = ?",
          s3Url, now(), jobId, JobStatus.COMPLETED) == 1;
    } catch (SQLException e) {
      throw failure("update the URL of", jobId, e);
    }
  }

  @Override
  public int reapStuck(Duration timeout) {
    requirePositive(timeout);
    Instant now = now();
    int reaped = 0;
    for (ReportJob job : query("reap stuck jobs", null, "SELECT " + COLUMNS + " FROM report_jobs"
        + " WHERE status = ? AND started_at < ?", JobStatus.PROCESSING, now.minus(timeout))) {
      String reason = "timed out: PROCESSING for more than " + timeout + " (started " + job.startedAt() + ")";
      // A job that completes in between is no longer PROCESSING and is left alone.
      if (transition(job.jobId(), Set.of(JobStatus.PROCESSING), JobStatus.FAILED, reason, FAIL_SET,
          JobStatus.FAILED, reason, now, now)) {
        reaped++;
        log.warn("Reaped report job {}: it was PROCESSING since {}, longer than the timeout {}; marked FAILED."
            + " Look for why its report run stopped (driver log, EMR step or Airflow task).",
            job.jobId(), job.startedAt(), timeout);
      }
    }
    return reaped;
  }

  @Override
  public int reapUntaken(Duration pendingTimeout, Duration submittedTimeout) {
    requirePositive(pendingTimeout);
    requirePositive(submittedTimeout);
    Instant now = now();
    int reaped = 0;
    for (ReportJob job : query("reap untaken jobs", null, "SELECT " + COLUMNS + " FROM report_jobs"
        + " WHERE status = ? AND created_at < ?", JobStatus.PENDING, now.minus(pendingTimeout))) {
      String reason = "timed out: nothing took the job within " + pendingTimeout + " (created " + job.createdAt()
          + "); is a worker running (api or worker command) or another submitter configured?";
      if (transition(job.jobId(), Set.of(JobStatus.PENDING), JobStatus.FAILED, reason, FAIL_SET,
          JobStatus.FAILED, reason, now, now)) {
        reaped++;
        log.warn("Report job {}: {}", job.jobId(), reason);
      }
    }
    for (ReportJob job : query("reap untaken jobs", null, "SELECT " + COLUMNS + " FROM report_jobs"
        + " WHERE status = ? AND submitted_at < ?", JobStatus.SUBMITTED, now.minus(submittedTimeout))) {
      String reason = "timed out: submitted " + job.submittedAt() + " (" + job.submitRef() + ") but its run did not"
          + " start within " + submittedTimeout + "; see the run's log";
      if (transition(job.jobId(), Set.of(JobStatus.SUBMITTED), JobStatus.FAILED, reason, FAIL_SET,
          JobStatus.FAILED, reason, now, now)) {
        reaped++;
        log.warn("Report job {}: {}", job.jobId(), reason);
      }
    }
    return reaped;
  }

  @Override
  public void close() {
    // Refusing later calls catches use after close.
    closed = true;
    connections.close();
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

  /** Inserts a PENDING job row and its first event in one transaction; false when the row exists already. */
  private boolean insert(String jobId, String sql, Object[] params, Instant now, String detail) {
    try {
      return inTransaction("create", jobId, c -> {
        update(c, sql, params);
        event(c, jobId, now, null, JobStatus.PENDING, detail);
        return true;
      });
    } catch (JobStoreException e) {
      if (e.getCause() instanceof SQLException cause && dialect.isDuplicateKey(cause)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Moves a job from one of {@code from} to {@code to}: reads the current status, then updates on exactly that
   * status (so the event names the real previous one) and writes the event, in one transaction. A status changed
   * in between is read again; a status not in {@code from} means no transition.
   */
  private boolean transition(String jobId, Set<JobStatus> from, JobStatus to, String detail, String set,
      Object... setParameters) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<ReportJob> current = find(jobId);
      if (current.isEmpty() || !from.contains(current.get().status())) {
        return false;
      }
      JobStatus was = current.get().status();
      Object[] params = new Object[setParameters.length + 2];
      System.arraycopy(setParameters, 0, params, 0, setParameters.length);
      params[setParameters.length] = jobId;
      params[setParameters.length + 1] = was;
      try (Connection c = connect()) {
        c.setAutoCommit(false);
        try {
          if (update(c, "UPDATE report_jobs SET " + set + " WHERE job_id = ? AND status = ?", params) == 1) {
            event(c, jobId, now(), was, to, detail);
            c.commit();
            return true;
          }
          c.rollback();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw failure("move to " + to, jobId, e);
      }
    }
    return false;
  }

  private void event(Connection c, String jobId, Instant at, JobStatus from, JobStatus to, String detail)
      throws SQLException {
    update(c, "INSERT INTO report_job_events (job_id, at, from_status, to_status, actor, detail)"
        + " VALUES (?, ?, ?, ?, ?, ?)", jobId, at, from, to, actor, detail);
  }

  private List<ReportJob> query(String action, String jobId, String sql, Object... parameters) {
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

  /** Runs one statement; parameters are Strings, Integers, JobStatus values, Instants (via the dialect) or null. */
  private int update(Connection c, String sql, Object... parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      bind(statement, parameters);
      return statement.executeUpdate();
    }
  }

  private void bind(PreparedStatement statement, Object... parameters) throws SQLException {
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
        dialect.getInstant(row, "notified_at"));
  }

  private Connection connect() throws SQLException {
    if (closed) {
      throw new IllegalStateException("the report job store for " + redactedUrl() + " is closed");
    }
    return connections.borrow();
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

  /** Stored times have millisecond precision, so the instants handed out match what is read back. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static void requirePositive(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  private JobStoreException failure(String action, String jobId, SQLException e) {
    String what = jobId == null ? action : action + " report job " + jobId;
    return new JobStoreException("could not " + what + " in " + redactedUrl() + ": " + e.getMessage(), e);
  }

  /** The URL without its query string, where drivers such as MySQL's may carry a password. */
  private String redactedUrl() {
    int query = db.url().indexOf('?');
    return query < 0 ? db.url() : db.url().substring(0, query);
  }
}
