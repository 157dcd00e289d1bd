package io.siloreports.bench;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations.Scope;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.testing.servers.EmbeddedMySql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Bytes per row of the MySQL tables that grow, measured on MariaDB: loads a known number of rows shaped like the
 * stream's and the worker's (schema as migrated), runs ANALYZE TABLE and reads data + index length from
 * information_schema; then the sizes after a year at the rates docs/production.md states ("Bounded tables"), with the
 * default retention.* ages. {@code bench/tables/run}.
 */
public final class TableSizesBench {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Random RND = new Random(7);

  private TableSizesBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "tablesizes").start()) {
      Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.rootUser(), mysql.rootPassword());
      SchemaPolicy.migrate(db, Scope.AGGREGATES);
      SchemaPolicy.migrate(db, Scope.JOB_STORE);
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        load(c, n);
        System.out.printf(Locale.ROOT, "MariaDB %s, %,d rows per table (report_job_events: 5 for every fifth job)%n",
            version(c), n);
        System.out.printf(Locale.ROOT, "%-24s %12s %12s %12s %10s%n", "table", "rows", "data bytes", "index bytes",
            "bytes/row");
        double bucket = perRow(c, "bucket_counts");
        double hourly = perRow(c, "silo_hourly_aggregates");
        double quarantine = perRow(c, "quarantine");
        double jobs = perRow(c, "report_jobs");
        double events = perRow(c, "report_job_events");
        // The stated rates and the default ages (retention.*; docs/production.md, Bounded tables).
        long accounts = 10_000;
        double bucketRowsKept = accounts * (1440.0 * 8 + 288.0 * 31 + 96.0 * 91 + 24.0 * 367);
        double bucketRowsYear = accounts * (1440.0 + 288 + 96 + 24) * 365;
        double hourlyYear = 1_000.0 * 24 * 365;
        double quarantineKept = 8_640.0 * 91;
        double jobsKept = 1_000.0 * 91;
        System.out.printf(Locale.ROOT, "%nafter a year (10,000 accounts active every minute; 1,000 silos at 1 reading/10 s;"
            + " 0.1%% bad readings; 1,000 reports/day, retention.job-age=90d):%n");
        row("bucket_counts, retained", bucketRowsKept, bucket);
        row("bucket_counts, no retention", bucketRowsYear, bucket);
        row("silo_hourly_aggregates", hourlyYear, hourly);
        row("quarantine, retained", quarantineKept, quarantine);
        row("report_jobs, retained", jobsKept, jobs);
        row("report_job_events, retained", jobsKept * 5, events);
      }
    }
  }

  private static void row(String what, double rows, double bytesPerRow) {
    System.out.printf(Locale.ROOT, "  %-30s %,15.0f rows x %6.1f B = %,10.2f GB%n", what, rows, bytesPerRow,
        rows * bytesPerRow / 1e9);
  }

  private static void load(Connection c, int n) throws Exception {
    try (PreparedStatement st = c.prepareStatement("INSERT INTO bucket_counts (record_type, account_id, bucket_minutes,"
        + " bucket_start, record_count, updated_at) VALUES ('items', ?, 1, ?, ?, ?)")) {
      for (int i = 0; i < n; i++) { // 1,000 accounts x n/1,000 consecutive minutes
        st.setString(1, String.format(Locale.ROOT, "acct-%06d", i % 1000));
        Jdbc.setUtc(st, 2, T0.plusSeconds(60L * (i / 1000)));
        st.setLong(3, 1 + RND.nextInt(20));
        Jdbc.setUtc(st, 4, T0);
        batch(c, st, i);
      }
      st.executeBatch();
    }
    try (PreparedStatement st = c.prepareStatement("INSERT INTO silo_hourly_aggregates (silo_id, hour_start,"
        + " avg_value, min_value, max_value, sum_value, record_count, sum_exact, min_exact, max_exact, updated_at)"
        + " VALUES (?, ?, ?, ?, ?, ?, 360, ?, ?, ?, ?)")) {
      for (int i = 0; i < n; i++) { // 1,000 silos x n/1,000 hours
        st.setInt(1, i % 1000);
        Jdbc.setUtc(st, 2, T0.plusSeconds(3600L * (i / 1000)));
        BigDecimal v = BigDecimal.valueOf(RND.nextInt(10_000_000), 4);
        for (int k = 3; k <= 6; k++) {
          st.setBigDecimal(k, v.setScale(2, java.math.RoundingMode.HALF_UP));
        }
        for (int k = 7; k <= 9; k++) {
          st.setBigDecimal(k, v.multiply(BigDecimal.valueOf(360)).setScale(10));
        }
        Jdbc.setUtc(st, 10, T0);
        batch(c, st, i);
      }
      st.executeBatch();
    }
    try (PreparedStatement st = c.prepareStatement("INSERT INTO quarantine (pipeline, batch_id, kind, reason,"
        + " event_ts, line, source, quarantined_at) VALUES ('silo-readings', ?, 'bad', ?, ?, ?, ?, ?)")) {
      for (int i = 0; i < n; i++) {
        st.setLong(1, i / 100);
        st.setString(2, "value is not a number: 'n/a'");
        Jdbc.setUtc(st, 3, T0.plusSeconds(i));
        st.setString(4, String.format(Locale.ROOT, "{\"silo_id\": %d, \"ts\": \"2026-01-01T00:00:%02dZ\","
            + " \"value\": \"n/a\"}", i % 1000, i % 60));
        st.setString(5, "s3a://silo-raw/silo-readings/2026/01/01/readings-" + (i / 10_000) + ".jsonl");
        Jdbc.setUtc(st, 6, T0.plusSeconds(i));
        batch(c, st, i);
      }
      st.executeBatch();
    }
    String url = "https://silo-reports.s3.eu-west-1.amazonaws.com/reports/%s.xlsx?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        + "&X-Amz-Credential=" + "A".repeat(20) + "%%2F20260101%%2Feu-west-1%%2Fs3%%2Faws4_request&X-Amz-Date="
        + "20260101T000000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=" + "f".repeat(64);
    try (PreparedStatement job = c.prepareStatement("INSERT INTO report_jobs (job_id, status, report_type, params,"
        + " s3_key, s3_url, created_at, updated_at, started_at, finished_at, requested_by, submitted_at, submit_ref,"
        + " trigger_type) VALUES (?, 'COMPLETED', 'silo-monthly', ?, ?, ?, ?, ?, ?, ?, 'ops-team', ?, ?, 'ADHOC')");
        PreparedStatement ev = c.prepareStatement("INSERT INTO report_job_events (job_id, at, from_status, to_status,"
            + " actor, detail) VALUES (?, ?, ?, ?, 'worker@ip-10-0-1-23', ?)")) {
      String[] steps = {null, "PENDING", "SUBMITTED", "PROCESSING", "COMPLETED"};
      for (int i = 0; i < n; i++) {
        String id = String.format(Locale.ROOT, "job-%08d-%s", i, Long.toHexString(RND.nextLong()));
        job.setString(1, id);
        job.setString(2, "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-02-01T00:00:00Z\",\"silos\":[1,2,3,4,5,6]}");
        job.setString(3, "reports/" + id + ".xlsx");
        job.setString(4, String.format(Locale.ROOT, url, id));
        for (int k = 5; k <= 9; k++) {
          Jdbc.setUtc(job, k, T0.plusSeconds(i));
        }
        job.setString(10, "local:" + id);
        batch(c, job, i);
        if (i % 5 == 0) { // 5 events (4 transitions and a note) for every fifth job
          for (int s = 1; s < steps.length; s++) {
            ev.setString(1, id);
            Jdbc.setUtc(ev, 2, T0.plusSeconds(i));
            ev.setString(3, steps[s - 1]);
            ev.setString(4, steps[s]);
            ev.setString(5, "moved by the worker after 1.2 s");
            ev.addBatch();
          }
          ev.setString(1, id);
          Jdbc.setUtc(ev, 2, T0.plusSeconds(i));
          ev.setString(3, "COMPLETED");
          ev.setString(4, "COMPLETED");
          ev.setString(5, "link sent to 1 webhook");
          ev.addBatch();
        }
      }
      job.executeBatch();
      ev.executeBatch();
    }
    c.commit();
  }

  private static void batch(Connection c, PreparedStatement st, int i) throws Exception {
    st.addBatch();
    if (i % 5_000 == 4_999) {
      st.executeBatch();
      c.commit();
    }
  }

  private static String version(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT VERSION()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Analyzes a table, prints its rows and lengths, returns (data + index) bytes per row. */
  private static double perRow(Connection c, String table) throws Exception {
    long rows;
    long data;
    long index;
    try (Statement st = c.createStatement()) {
      st.execute("ANALYZE TABLE " + table);
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        rows = rs.getLong(1);
      }
      try (ResultSet rs = st.executeQuery("SELECT DATA_LENGTH, INDEX_LENGTH FROM information_schema.TABLES"
          + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" + table + "'")) {
        rs.next();
        data = rs.getLong(1);
        index = rs.getLong(2);
      }
    }
    double per = (data + index) / (double) rows;
    System.out.printf(Locale.ROOT, "%-24s %,12d %,12d %,12d %10.1f%n", table, rows, data, index, per);
    return per;
  }
}
