package io.siloreports.jobstore;

import io.siloreports.db.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@link ReportJobStore} over plain JDBC (SQLite, MySQL, MariaDB). Longer than most files: each conditional update
 * and each query the life cycle, the worker, the service and retention need is one method over this table pair (the
 * JDBC plumbing is in {@link JobTable}).
 *
 * <p>Each operation opens its own connection and closes it, so one instance is safe to share between threads, and
 * several processes can use the same database. A transition is a conditional UPDATE naming the status it expects,
 * followed by its event row, in one transaction; it succeeds only if it changed the row. The UPDATE comes first, so
 * on SQLite the transaction takes the write lock at its first statement and the busy timeout covers all contention.
 * */
public final class JdbcReportJobStore implements ReportJobStore {

  /** Longest error_message kept; fits a MySQL TEXT as well as SQLite. */
  static final int MAX_ERROR_MESSAGE_CHARS = 4000;

  static final String NO_REASON_GIVEN = "(no reason given)";

  private static final String COLUMNS = JobTable.COLUMNS;
  private static final String FAIL_SET = "status = ?, error_message = ?, finished_at = ?, updated_at = ?";

  private final JobTable table;
  private final Clock clock;
  private final SqlDialect dialect;
  private final String actor;

  /** The schema is not this class's business: {@link io.siloreports.db.SchemaPolicy} prepares it. */
  public JdbcReportJobStore(Jdbc db, Clock clock, String actor) {
    this(db, clock, actor, null);
  }

  private JdbcReportJobStore(Jdbc db, Clock clock, String actor, JobTable shared) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.actor = Objects.requireNonNull(actor, "actor");
    // One connection pool per store and the stores as() makes from it: the service's HTTP threads and its worker.
    this.table = shared != null ? shared : new JobTable(db);
    this.dialect = table.dialect();
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
    return new JdbcReportJobStore(null, clock, otherActor, table);
  }

  @Override
  public ReportJob create(String jobId, String reportType, String paramsJson, String requestedBy,
      String requestId) {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reportType, "reportType");
    Instant now = now();
    if (!table.insertJob(jobId, "INSERT INTO report_jobs (job_id, status, report_type, params, created_at,"
            + " updated_at, requested_by, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        new Object[] {jobId, JobStatus.PENDING, reportType, paramsJson, now, now, requestedBy, requestId}, now, actor,
        requestedBy == null ? null : "requested by " + requestedBy)) {
      throw new IllegalStateException("report job " + jobId + " already exists");
    }
    return new ReportJob(jobId, JobStatus.PENDING, reportType, paramsJson, null, null, null, now, now, null, null,
        requestedBy, null, null, ReportJob.Trigger.ADHOC, null, null, null, requestId);
  }

  @Override
  public Optional<ReportJob> createScheduled(String jobId, String reportType, String paramsJson, String scheduleName,
      Instant scheduledFor) {
    Instant now = now();
    String by = "schedule:" + scheduleName;
    if (!table.insertJob(jobId, "INSERT INTO report_jobs (job_id, status, report_type, params, created_at,"
            + " updated_at, requested_by, trigger_type, schedule_name, scheduled_for) VALUES"
            + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        new Object[] {jobId, JobStatus.PENDING, reportType, paramsJson, now, now, by,
            ReportJob.Trigger.SCHEDULED.name(), scheduleName, scheduledFor},
        now, actor, "scheduled run of " + scheduleName + " for " + scheduledFor)) {
      return Optional.empty(); // another worker created this run (same job id, or same schedule and tick)
    }
    return Optional.of(new ReportJob(jobId, JobStatus.PENDING, reportType, paramsJson, null, null, null, now, now,
        null, null, by, null, null, ReportJob.Trigger.SCHEDULED, scheduleName, scheduledFor, null, null));
  }

  @Override
  public Optional<Instant> lastScheduledRun(String scheduleName) {
    try (Connection c = table.connect();
        PreparedStatement st = c.prepareStatement("SELECT scheduled_for FROM report_jobs WHERE schedule_name = ?"
            + " ORDER BY scheduled_for DESC LIMIT 1")) {
      st.setString(1, scheduleName);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.ofNullable(dialect.getInstant(rs, "scheduled_for")) : Optional.empty();
      }
    } catch (SQLException e) {
      throw table.failure("read the last run of schedule " + scheduleName, null, e);
    }
  }

  @Override
  public Optional<ReportJob> find(String jobId) {
    List<ReportJob> found =
        table.query("find", jobId, "SELECT " + COLUMNS + " FROM report_jobs WHERE job_id = ?", jobId);
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
        ? table.query("list", null, "SELECT " + COLUMNS + " FROM report_jobs" + order, limit, offset)
        : table.query("list", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?" + order, status, limit,
            offset);
  }

  @Override
  public long count(JobStatus status) {
    return status == null ? table.numbers("count", "SELECT count(*) FROM report_jobs")[0]
        : table.numbers("count", "SELECT count(*) FROM report_jobs WHERE status = ?", status)[0];
  }

  @Override
  public Unfinished unfinished(String requestedBy) {
    // The (status, created_at) index finds the unfinished rows, which quotas keep few.
    long[] n = table.numbers("count unfinished", "SELECT count(*), coalesce(sum(CASE WHEN requested_by = ? THEN 1"
        + " ELSE 0 END), 0) FROM report_jobs WHERE status IN (?, ?, ?)", requestedBy, JobStatus.PENDING,
        JobStatus.SUBMITTED, JobStatus.PROCESSING);
    return new Unfinished(n[0], n[1]);
  }

  @Override
  public List<ReportJob> pending(int limit) {
    return table.query("list pending", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " ORDER BY CASE WHEN trigger_type = 'ADHOC' THEN 0 ELSE 1 END, created_at, job_id LIMIT ?",
        JobStatus.PENDING, limit);
  }

  @Override
  public List<ReportJob> submitted() {
    return table.query("list submitted", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " ORDER BY submitted_at, job_id", JobStatus.SUBMITTED);
  }

  @Override
  public List<JobEvent> events(String jobId) {
    return table.events(jobId);
  }

  @Override
  public boolean markSubmitted(String jobId, String submitRef) {
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PENDING), JobStatus.SUBMITTED, submitRef,
        "status = ?, submitted_at = ?, submit_ref = ?, updated_at = ?", JobStatus.SUBMITTED, now, submitRef, now);
  }

  @Override
  public boolean updateSubmitRef(String jobId, String submitRef) {
    try (Connection c = table.connect()) {
      return table.update(c,
          "UPDATE report_jobs SET submit_ref = ?, updated_at = ? WHERE job_id = ? AND status IN (?, ?)",
          submitRef, now(), jobId, JobStatus.SUBMITTED, JobStatus.PROCESSING) == 1;
    } catch (SQLException e) {
      throw table.failure("record the run of", jobId, e);
    }
  }

  @Override
  public boolean requeue(String jobId, String reason) {
    return transition(jobId, Set.of(JobStatus.SUBMITTED), JobStatus.PENDING, reason,
        "status = ?, submitted_at = NULL, submit_ref = NULL, updated_at = ?", JobStatus.PENDING, now());
  }

  @Override
  public boolean handBack(String jobId, String reason) {
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PROCESSING), JobStatus.SUBMITTED, reason,
        "status = ?, submitted_at = ?, started_at = NULL, updated_at = ?", JobStatus.SUBMITTED, now, now);
  }

  @Override
  public boolean markProcessing(String jobId) {
    Instant now = now();
    return transition(jobId, Set.of(JobStatus.PENDING, JobStatus.SUBMITTED), JobStatus.PROCESSING, null,
        "status = ?, started_at = ?, updated_at = ?", JobStatus.PROCESSING, now, now);
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
    try (Connection c = table.connect();
        PreparedStatement st = c.prepareStatement("SELECT summary FROM report_jobs WHERE job_id = ?")) {
      st.setString(1, jobId);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw table.failure("read the summary of", jobId, e);
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
    return table.query("list old reports", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status = ?"
        + " AND finished_at < ? ORDER BY finished_at, job_id LIMIT ?", JobStatus.COMPLETED, finishedBefore, limit);
  }

  @Override
  public int prune(Instant updatedBefore) {
    return table.inTransaction("prune old report jobs", null, c -> {
      String old = "SELECT job_id FROM report_jobs WHERE status IN (?, ?, ?) AND updated_at < ?";
      table.update(c, "DELETE FROM report_job_events WHERE job_id IN (" + old + ")", JobStatus.COMPLETED,
          JobStatus.FAILED, JobStatus.EXPIRED, updatedBefore);
      return table.update(c, "DELETE FROM report_jobs WHERE status IN (?, ?, ?) AND updated_at < ?",
          JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.EXPIRED, updatedBefore);
    });
  }

  @Override
  public JobCounts counts() {
    return table.counts();
  }

  @Override
  public List<ReportJob> toNotify(Instant finishedSince, int limit) {
    return table.query("list jobs to notify", null, "SELECT " + COLUMNS + " FROM report_jobs WHERE status IN (?, ?)"
        + " AND notified_at IS NULL AND finished_at >= ? ORDER BY finished_at, job_id LIMIT ?", JobStatus.COMPLETED,
        JobStatus.FAILED, finishedSince, limit);
  }

  @Override
  public boolean claimNotification(String jobId) {
    try (Connection c = table.connect()) {
      return table.update(c, "UPDATE report_jobs SET notified_at = ? WHERE job_id = ? AND notified_at IS NULL", now(),
          jobId) == 1;
    } catch (SQLException e) {
      throw table.failure("claim the notifications of", jobId, e);
    }
  }

  @Override
  public void note(String jobId, String detail) {
    Optional<ReportJob> job = find(jobId);
    if (job.isPresent()) {
      table.inTransaction("note an event of", jobId, c -> {
        table.event(c, jobId, now(), job.get().status(), job.get().status(), actor, detail);
        return null;
      });
    }
  }

  @Override
  public boolean updateUrl(String jobId, String s3Url) {
    try (Connection c = table.connect()) {
      return table.update(c, "UPDATE report_jobs SET s3_url = ?, updated_at = ? WHERE job_id = ? AND status = ?",
          s3Url, now(), jobId, JobStatus.COMPLETED) == 1;
    } catch (SQLException e) {
      throw table.failure("update the URL of", jobId, e);
    }
  }

  @Override
  public List<ReportJob> enteredBefore(JobStatus status, Instant before) {
    String since = switch (status) {
      case PENDING -> "created_at";
      case SUBMITTED -> "submitted_at";
      case PROCESSING -> "started_at";
      default -> throw new IllegalArgumentException("only PENDING, SUBMITTED and PROCESSING jobs wait, not " + status);
    };
    return table.query("list jobs " + status + " since before " + before, null, "SELECT " + COLUMNS
        + " FROM report_jobs"
        + " WHERE status = ? AND " + since + " < ? ORDER BY " + since + ", job_id", status, before);
  }

  @Override
  public boolean markFailed(String jobId, JobStatus expected, String errorMessage) {
    Instant now = now();
    String reason = storableReason(errorMessage);
    return transition(jobId, Set.of(expected), JobStatus.FAILED, reason, FAIL_SET, JobStatus.FAILED, reason, now, now);
  }

  @Override
  public void close() {
    table.close();
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
      try (Connection c = table.connect()) {
        c.setAutoCommit(false);
        try {
          if (table.update(c, "UPDATE report_jobs SET " + set + " WHERE job_id = ? AND status = ?", params) == 1) {
            table.event(c, jobId, now(), was, to, actor, detail);
            c.commit();
            return true;
          }
          c.rollback();
        } catch (SQLException e) {
          c.rollback();
          throw e;
        }
      } catch (SQLException e) {
        throw table.failure("move to " + to, jobId, e);
      }
    }
    return false;
  }

  /** Stored times have millisecond precision, so the instants handed out match what is read back. */
  @Override
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

}
