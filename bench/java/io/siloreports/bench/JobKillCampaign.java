package io.siloreports.bench;

import io.siloreports.cli.Wiring;
import io.siloreports.db.Jdbc;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.TestData;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import java.io.BufferedWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Kills of the report job and of the backfill (bench/faults/jobs), each in a child JVM started through the CLI and
 * killed with SIGKILL at a random moment of its run, again and again.
 *
 * <ul>
 *   <li>{@code report}: finalized aggregates in MySQL (one stream run over generated files), reports to S3
 *       (S3Proxy), the job store in MySQL. Each killed job must be reaped to FAILED by the next run (a short
 *       {@code report.processing-timeout}), never COMPLETED, and no incomplete object may lie under its key; the
 *       next job id must complete, and its workbook (fetched by its presigned URL) must equal a plain-Java
 *       computation over the input.
 *   <li>{@code backfill}: the backfill of six days of files (readings and events, bad lines among them) into MySQL
 *       killed again and again, each run a re-run of the killed one; after every kill each day (a chunk, one
 *       transaction) must be either untouched or exactly right; at the end one run finishes, and the tables must
 *       equal a plain-Java computation and the tables of an un-killed run in another database.
 * </ul>
 *
 * <p>Usage: {@code JobKillCampaign <work dir> report|backfill <kills> <seed> [size]}; prints a {@code KILL} line per
 * kill and a {@code CAMPAIGN} line, and fails (exception) when anything is wrong.
 */
public final class JobKillCampaign {
  private static final Instant FIRST = Instant.parse("2026-01-05T00:00:00Z");

  private JobKillCampaign() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    String path = args[1];
    int kills = Integer.parseInt(args[2]);
    Random random = new Random(Long.parseLong(args[3]));
    int size = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    IngestBench.deleteTreeQuietly(work);
    Files.createDirectories(work.resolve("logs"));
    switch (path) {
      case "report" -> report(work, kills, random, size > 0 ? size : 30);
      case "backfill" -> backfill(work, kills, random, size > 0 ? size : 6);
      default -> throw new IllegalArgumentException("path must be report or backfill, got " + path);
    }
  }

  // ---------------------------------------------------------------------------------------------- report

  private static void report(Path work, int kills, Random random, int days) throws Exception {
    int hours = days * 24;
    List<Oracle.Reading> readings = readings(work, random, 40, hours, 3, 0);
    Instant to = FIRST.plus(hours, ChronoUnit.HOURS);
    Map<Oracle.HourKey, Oracle.Hour> oracle = Oracle.hourly(readings);
    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "campaign").start();
        EmbeddedS3 s3 = new EmbeddedS3().start();
        S3Client client = s3.s3Client()) {
      Path props = work.resolve("report.properties");
      Files.writeString(props, String.join("\n",
          "input.dir=" + work.resolve("input"), "sink.type=mysql", "db.url=" + mysql.jdbcUrl(), "db.user=root",
          "db.password=", "jobstore.url=" + mysql.jdbcUrl(), "jobstore.user=root", "jobstore.password=",
          "db.migrate-on-start=true", "checkpoint.dir=" + work.resolve("checkpoints"),
          "stream.pipelines=silo-readings", "spark.master=local[2]", "spark.ui.enabled=false",
          "report.output-dir=s3a://" + s3.bucket() + "/campaign", "report.s3.endpoint=" + s3.endpoint(),
          "report.s3.path-style=true", "report.s3.access-key=" + s3.accessKey(),
          "report.s3.secret-key=" + s3.secretKey(),
          // Short, so the next run reaps a killed job at once (runs here never overlap).
          "report.processing-timeout=1s", ""));
      // The finalized aggregates: one stream run over the files (the last hours stay hot, read raw by the report).
      run(work, "stream", List.of("stream", "--config", props.toString(), "--conf", "stream.trigger=available-now"));
      List<String> reportArgs = List.of("report", "--config", props.toString(), "--from", FIRST.toString(),
          "--to", to.toString(), "--as-of", to.toString());

      long t0 = System.nanoTime();
      run(work, "report-baseline", with(reportArgs, "--job-id", "baseline"));
      long baselineMillis = (System.nanoTime() - t0) / 1_000_000;
      int rows = checkCompleted(mysql, "baseline", oracle, work);
      System.out.printf(Locale.ROOT, "BASELINE report %d ms, %d silo rows equal to the oracle%n", baselineMillis, rows);

      long started = System.nanoTime();
      long runMillis = baselineMillis;
      long toProcessingMillis = baselineMillis / 3;
      int killed = 0;
      int processingAtKill = 0;
      int notCreated = 0;
      int reaped = 0;
      int pendingLeft = 0;
      int completedKilled = 0;
      int partialObjects = 0;
      int orphanObjects = 0;
      int completedAfter = 0;
      int wrong = 0;
      for (int attempt = 1; killed < kills; attempt++) {
        String jobId = "kill-" + attempt;
        long t = System.nanoTime();
        Process p = start(work, jobId, with(reportArgs, "--job-id", jobId));
        // A JVM starts slowly on a busy machine: kills timed from the start would mostly land before the job exists.
        // So one kill in four lands in the start-up, the others after the job is PROCESSING, anywhere in the rest.
        long lifeMillis;
        if (random.nextInt(4) == 0) {
          lifeMillis = 200 + random.nextInt((int) Math.max(1, toProcessingMillis - 200));
        } else {
          while (p.isAlive() && !"PROCESSING".equals(status(mysql, jobId))
              && System.nanoTime() - t < 120_000_000_000L) {
            Thread.sleep(20);
          }
          long processingAt = (System.nanoTime() - t) / 1_000_000;
          toProcessingMillis = processingAt;
          lifeMillis = processingAt + random.nextInt((int) Math.max(1, runMillis - processingAt));
        }
        if (p.waitFor(Math.max(0, lifeMillis - (System.nanoTime() - t) / 1_000_000),
            java.util.concurrent.TimeUnit.MILLISECONDS)) {
          runMillis = Math.min(runMillis, (System.nanoTime() - t) / 1_000_000);
          System.out.printf(Locale.ROOT, "NO-KILL %s: the run ended (exit %d) before %d ms; not counted%n", jobId,
              p.exitValue(), lifeMillis);
          continue;
        }
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean stop
        p.waitFor();
        killed++;
        String[] atKill = job(mysql, jobId);
        String phase = phase(work.resolve("logs/" + jobId + ".log"), atKill);
        if (atKill != null && atKill[0].equals("PROCESSING")) {
          processingAtKill++;
        }
        Thread.sleep(1_100); // older than report.processing-timeout by the time the next run reaps
        String nextId = "after-" + attempt;
        t = System.nanoTime();
        run(work, nextId, with(reportArgs, "--job-id", nextId));
        // Kills land anywhere in a run: up to the shortest run seen (the first, cold one is the slowest).
        runMillis = Math.min(runMillis, (System.nanoTime() - t) / 1_000_000);
        String[] after = job(mysql, jobId);
        String outcome;
        if (after == null) {
          notCreated++;
          outcome = "no job row (killed before the run created it)";
        } else if (after[0].equals("FAILED") && after[1] != null && after[1].startsWith("timed out: PROCESSING")) {
          reaped++;
          outcome = "FAILED by the reaper: " + after[1];
        } else if (after[0].equals("COMPLETED")) {
          completedKilled++;
          outcome = "COMPLETED (must not happen)";
        } else {
          pendingLeft += after[0].equals("PENDING") ? 1 : 0;
          outcome = after[0] + " " + after[1];
        }
        if (after != null && (after[2] != null || after[3] != null)) {
          outcome += "; has a key or URL (must not)";
          completedKilled++;
        }
        List<S3Object> objects = client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("campaign/reports/" + jobId + "/"))
            .contents();
        String objectNote = "no object";
        for (S3Object o : objects) {
          Path file = work.resolve(jobId + "-object.xlsx");
          client.getObject(b -> b.bucket(s3.bucket()).key(o.key()), file);
          try {
            WorkbookReader.assertEqualsOracle(oracle, WorkbookReader.read(file).rows());
            orphanObjects++;
            objectNote = "a complete object under its key (uploaded just before the kill; the FAILED job does not"
                + " point at it)";
          } catch (Exception | AssertionError e) {
            partialObjects++;
            objectNote = "an INCOMPLETE object under its key: " + e;
          }
          Files.delete(file);
        }
        int got = -1;
        try {
          got = checkCompleted(mysql, nextId, oracle, work);
          completedAfter++;
        } catch (Exception | AssertionError e) {
          wrong++;
          System.out.println("WRONG " + nextId + ": " + e);
        }
        System.out.printf(Locale.ROOT, "KILL %d %s after %d ms (%s; status at kill %s): %s; %s; %s %s%n", killed,
            jobId, lifeMillis, phase, atKill == null ? "no row" : atKill[0], outcome, objectNote, nextId,
            got >= 0 ? "COMPLETED, " + got + " rows equal to the oracle" : "WRONG");
      }
      System.out.printf(Locale.ROOT, "CAMPAIGN path=report kills=%d processing_at_kill=%d reaped_failed=%d"
              + " not_created=%d pending_left=%d completed_killed=%d partial_objects=%d orphan_objects=%d"
              + " completed_after=%d report_rows=%d wrong=%d minutes=%.1f%n", killed, processingAtKill, reaped,
          notCreated, pendingLeft, completedKilled, partialObjects, orphanObjects, completedAfter, rows, wrong,
          (System.nanoTime() - started) / 60e9);
      if (reaped != processingAtKill || reaped + notCreated != killed || completedKilled != 0 || partialObjects != 0
          || completedAfter != killed || wrong != 0) {
        throw new IllegalStateException("the report campaign found a wrong outcome (see the lines above); logs in "
            + work.resolve("logs"));
      }
    }
  }

  private static String status(EmbeddedMySql mysql, String jobId) throws SQLException {
    String[] job = job(mysql, jobId);
    return job == null ? null : job[0];
  }

  /** Status, error, key and URL of a job, or null without a row. */
  private static String[] job(EmbeddedMySql mysql, String jobId) throws SQLException {
    try (Connection c = mysql.rootConnection();
        PreparedStatement st = c.prepareStatement("SELECT status, error_message, s3_key, s3_url FROM report_jobs"
            + " WHERE job_id = ?")) {
      st.setString(1, jobId);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)} : null;
      } catch (SQLException e) {
        return null;
      }
    } catch (SQLException e) {
      if (e.getMessage().contains("doesn't exist")) {
        return null; // killed before the run migrated the job store
      }
      throw e;
    }
  }

  /** Where the killed run was, from its log and its job's status. */
  private static String phase(Path log, String[] atKill) throws Exception {
    String text = Files.exists(log) ? Files.readString(log) : "";
    if (text.contains(": COMPLETED")) {
      return "after completing";
    }
    if (text.contains("in sheet order")) {
      return "writing the workbook or uploading";
    }
    if (text.contains(": PROCESSING")) {
      return "reading";
    }
    return atKill == null ? "JVM start-up" : "start-up";
  }

  /** The job COMPLETED, its workbook fetched by its presigned URL equal to the oracle; returns its silo rows. */
  private static int checkCompleted(EmbeddedMySql mysql, String jobId, Map<Oracle.HourKey, Oracle.Hour> oracle,
      Path work) throws Exception {
    String[] job = job(mysql, jobId);
    if (job == null || !job[0].equals("COMPLETED") || job[3] == null) {
      throw new IllegalStateException("job " + jobId + " is " + (job == null ? "missing" : job[0] + " " + job[1]));
    }
    HttpResponse<byte[]> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create(job[3])).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the presigned URL of " + jobId + " answered " + response.statusCode());
    }
    Path file = work.resolve(jobId + ".xlsx");
    Files.write(file, response.body());
    Map<Oracle.HourKey, WorkbookReader.Line> rows = WorkbookReader.read(file).rows();
    WorkbookReader.assertEqualsOracle(oracle, rows);
    Files.delete(file);
    return rows.size();
  }

  // ---------------------------------------------------------------------------------------------- backfill

  private static void backfill(Path work, int kills, Random random, int days) throws Exception {
    int hours = days * 24;
    long[] bad = new long[1];
    List<Oracle.Reading> readings = readings(work, random, 40, hours, 10, 150);
    bad[0] = countBad(work.resolve("input/silo-readings"));
    List<Oracle.Event> events = TestData.events(random).perHour(300).accounts(20).hours(FIRST, 0, hours).build();
    Path eventDir = Files.createDirectories(work.resolve("input/activity-events"));
    Files.write(eventDir.resolve("events.jsonl"), TestData.eventJson(events), StandardCharsets.UTF_8);
    Map<Oracle.HourKey, Oracle.Hour> oracle = Oracle.hourly(readings);
    Map<Oracle.BucketKey, Long> buckets = Oracle.buckets(events);
    Instant to = FIRST.plus(hours, ChronoUnit.HOURS);

    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "campaign").start()) {
      mysql.execute("CREATE DATABASE reference");
      Path campaignProps = backfillProps(work, "campaign", mysql.jdbcUrl("campaign"));
      Path referenceProps = backfillProps(work, "reference", mysql.jdbcUrl("reference"));
      // The schemas first: a kill inside a migration is another fault (DDL is not transactional in MySQL).
      Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl("campaign"), "root", ""), true);
      Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl("reference"), "root", ""), true);
      List<String> backfillArgs = List.of("backfill", "--from", FIRST.toString(), "--to", to.toString(),
          "--conf", "backfill.force=true", "--conf", "backfill.pipelines=silo-readings,activity-events");

      long t0 = System.nanoTime();
      run(work, "backfill-reference", with(List.of(), backfillArgs, "--config", referenceProps.toString()));
      long baselineMillis = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(Locale.ROOT, "BASELINE backfill (un-killed, database reference) %d ms%n", baselineMillis);

      long started = System.nanoTime();
      long runMillis = baselineMillis;
      int killed = 0;
      int partialDays = 0;
      for (int attempt = 1; killed < kills; attempt++) {
        long lifeMillis = 500 + random.nextInt((int) Math.max(1, runMillis - 500));
        long t = System.nanoTime();
        Process p = start(work, "backfill-" + attempt,
            with(List.of(), backfillArgs, "--config", campaignProps.toString()));
        if (p.waitFor(lifeMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          runMillis = Math.min(runMillis, (System.nanoTime() - t) / 1_000_000);
          System.out.printf(Locale.ROOT, "NO-KILL %d: the run ended (exit %d) before %d ms; not counted%n", attempt,
              p.exitValue(), lifeMillis);
          continue;
        }
        p.destroyForcibly();
        p.waitFor();
        killed++;
        // Each day is one transaction per pipeline: after a kill it is either as before or wholly recomputed.
        int[] state = dayStates(mysql, days, oracle, buckets);
        partialDays += state[2];
        System.out.printf(Locale.ROOT, "KILL %d after %d ms: days right %d, days empty %d, days partial or wrong %d%n",
            killed, lifeMillis, state[0], state[1], state[2]);
      }
      run(work, "backfill-final", with(List.of(), backfillArgs, "--config", campaignProps.toString()));

      long[] diff = compareWithOracle(mysql, oracle, buckets);
      long quarantined = count(mysql, "SELECT COUNT(*) FROM campaign.quarantine WHERE batch_id = -1");
      long tablesDiffer = 0;
      for (String table : List.of(
          "SELECT silo_id, hour_start, avg_value, min_value, max_value, sum_value, record_count, sum_exact,"
              + " min_exact, max_exact FROM %s.silo_hourly_aggregates ORDER BY silo_id, hour_start",
          "SELECT record_type, account_id, bucket_minutes, bucket_start, record_count FROM %s.bucket_counts"
              + " ORDER BY record_type, account_id, bucket_minutes, bucket_start",
          "SELECT pipeline, batch_id, kind, reason, event_ts, line, source FROM %s.quarantine"
              + " ORDER BY pipeline, event_ts, line, reason")) {
        // Sorted here on every column: rows equal in the ORDER BY columns (the same truncated line in two files)
        // come in any order.
        List<String> a = rows(mysql, String.format(table, "campaign")).stream().sorted().toList();
        List<String> b = rows(mysql, String.format(table, "reference")).stream().sorted().toList();
        if (!a.equals(b)) {
          tablesDiffer++;
          System.out.println("DIFFERENT from the un-killed run: " + table + " (" + a.size() + " rows against "
              + b.size() + ")");
        }
      }
      System.out.printf(Locale.ROOT, "CAMPAIGN path=backfill kills=%d days=%d readings=%d events=%d bad_lines=%d"
              + " quarantined=%d hours=%d buckets=%d partial_days_after_kill=%d lost=%d double=%d wrong_values=%d"
              + " tables_unlike_unkilled_run=%d minutes=%.1f%n", killed, days, readings.size(), events.size(), bad[0],
          quarantined, oracle.size(), buckets.size(), partialDays, diff[0], diff[1], diff[2], tablesDiffer,
          (System.nanoTime() - started) / 60e9);
      if (partialDays != 0 || diff[0] != 0 || diff[1] != 0 || diff[2] != 0 || tablesDiffer != 0
          || quarantined != bad[0]) {
        throw new IllegalStateException("the backfill campaign found lost, doubled or wrong rows (see the CAMPAIGN"
            + " line); logs in " + work.resolve("logs"));
      }
    }
  }

  private static Path backfillProps(Path work, String name, String url) throws Exception {
    Path props = work.resolve(name + ".properties");
    Files.writeString(props, String.join("\n", "input.dir=" + work.resolve("input"), "sink.type=mysql",
        "db.url=" + url, "db.user=root", "db.password=", "db.migrate-on-start=false",
        "jobstore.url=jdbc:sqlite:" + work.resolve(name + "-jobstore.db"), "spark.master=local[2]",
        "spark.ui.enabled=false", ""));
    return props;
  }

  /** Per day: [right, empty, partial or wrong], over both tables. */
  private static int[] dayStates(EmbeddedMySql mysql, int days, Map<Oracle.HourKey, Oracle.Hour> oracle,
      Map<Oracle.BucketKey, Long> buckets) throws Exception {
    Map<Oracle.HourKey, String> storedHours = storedHours(mysql);
    Map<Oracle.BucketKey, Long> storedBuckets = storedBuckets(mysql);
    int[] state = new int[3];
    for (int d = 0; d < days; d++) {
      Instant start = FIRST.plus(d, ChronoUnit.DAYS);
      Instant end = start.plus(1, ChronoUnit.DAYS);
      for (int table = 0; table < 2; table++) {
        Map<Object, Object> want = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        Map<Object, Object> have = new TreeMap<>(java.util.Comparator.comparing(Object::toString));
        if (table == 0) {
          oracle.forEach((k, h) -> {
            if (!k.hour().isBefore(start) && k.hour().isBefore(end)) {
              want.put(k, expected(h));
            }
          });
          storedHours.forEach((k, v) -> {
            if (!k.hour().isBefore(start) && k.hour().isBefore(end)) {
              have.put(k, v);
            }
          });
        } else {
          buckets.forEach((k, v) -> {
            if (!k.start().isBefore(start) && k.start().isBefore(end)) {
              want.put(k, v);
            }
          });
          storedBuckets.forEach((k, v) -> {
            if (!k.start().isBefore(start) && k.start().isBefore(end)) {
              have.put(k, v);
            }
          });
        }
        state[have.isEmpty() ? 1 : have.equals(want) ? 0 : 2]++;
      }
    }
    return state;
  }

  /** [lost, double, wrong values] of the campaign database against the oracle. */
  private static long[] compareWithOracle(EmbeddedMySql mysql, Map<Oracle.HourKey, Oracle.Hour> oracle,
      Map<Oracle.BucketKey, Long> buckets) throws Exception {
    Map<Oracle.HourKey, String> stored = storedHours(mysql);
    long lost = 0;
    long doubled = 0;
    long wrong = 0;
    for (Map.Entry<Oracle.HourKey, Oracle.Hour> e : oracle.entrySet()) {
      String have = stored.get(e.getKey());
      long haveCount = have == null ? 0 : Long.parseLong(have.substring(0, have.indexOf('|')));
      lost += Math.max(0, e.getValue().count - haveCount);
      doubled += Math.max(0, haveCount - e.getValue().count);
      if (have != null && haveCount == e.getValue().count && !have.equals(expected(e.getValue()))) {
        wrong++;
      }
    }
    for (Map.Entry<Oracle.HourKey, String> e : stored.entrySet()) {
      if (!oracle.containsKey(e.getKey())) {
        doubled += Long.parseLong(e.getValue().substring(0, e.getValue().indexOf('|')));
      }
    }
    Map<Oracle.BucketKey, Long> storedBuckets = storedBuckets(mysql);
    for (Map.Entry<Oracle.BucketKey, Long> e : buckets.entrySet()) {
      long have = storedBuckets.getOrDefault(e.getKey(), 0L);
      lost += Math.max(0, e.getValue() - have);
      doubled += Math.max(0, have - e.getValue());
    }
    for (Map.Entry<Oracle.BucketKey, Long> e : storedBuckets.entrySet()) {
      if (!buckets.containsKey(e.getKey())) {
        doubled += e.getValue();
      }
    }
    return new long[] {lost, doubled, wrong};
  }

  private static String expected(Oracle.Hour h) {
    return h.count + "|" + plain(h.sum) + "|" + plain(h.min) + "|" + plain(h.max);
  }

  private static String plain(BigDecimal v) {
    return v.stripTrailingZeros().toPlainString();
  }

  private static Map<Oracle.HourKey, String> storedHours(EmbeddedMySql mysql) throws Exception {
    Map<Oracle.HourKey, String> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl("campaign"), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT silo_id, UNIX_TIMESTAMP(hour_start), record_count, sum_exact,"
            + " min_exact, max_exact FROM silo_hourly_aggregates")) {
      while (rs.next()) {
        out.put(new Oracle.HourKey(rs.getInt(1), Instant.ofEpochSecond(rs.getLong(2))), rs.getLong(3) + "|"
            + plain(rs.getBigDecimal(4)) + "|" + plain(rs.getBigDecimal(5)) + "|" + plain(rs.getBigDecimal(6)));
      }
    }
    return out;
  }

  private static Map<Oracle.BucketKey, Long> storedBuckets(EmbeddedMySql mysql) throws Exception {
    Map<Oracle.BucketKey, Long> out = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl("campaign"), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT record_type, account_id, bucket_minutes, UNIX_TIMESTAMP(bucket_start),"
            + " record_count FROM bucket_counts")) {
      while (rs.next()) {
        out.put(new Oracle.BucketKey(rs.getString(1), rs.getString(2), rs.getInt(3),
            Instant.ofEpochSecond(rs.getLong(4))), rs.getLong(5));
      }
    }
    return out;
  }

  private static List<String> rows(EmbeddedMySql mysql, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = mysql.rootConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(rs.getString(i)).append('\t');
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  private static long count(EmbeddedMySql mysql, String sql) throws Exception {
    try (Connection c = mysql.rootConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ---------------------------------------------------------------------------------------------- input, children

  /**
   * One file per day of readings for {@code silos} silos, {@code perHour} each hour, values with 3 decimals; one line
   * in {@code badEvery} bad (0: none): half truncated (no readable time), half with a wrong value type (a time, so
   * the backfill files it under its day).
   */
  private static List<Oracle.Reading> readings(Path work, Random random, int silos, int hours, int perHour,
      int badEvery) throws Exception {
    Path dir = Files.createDirectories(work.resolve("input/silo-readings"));
    List<Oracle.Reading> valid = new ArrayList<>();
    for (int day = 0; day * 24 < hours; day++) {
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(String.format("readings-%03d.jsonl", day)),
          StandardCharsets.UTF_8)) {
        for (int h = day * 24; h < Math.min(hours, day * 24 + 24); h++) {
          for (int silo = 1; silo <= silos; silo++) {
            for (int i = 0; i < perHour; i++) {
              Instant ts = FIRST.plusSeconds(h * 3600L + random.nextInt(3600));
              Oracle.Reading r = new Oracle.Reading(silo, ts,
                  BigDecimal.valueOf(random.nextInt(2_000_000) - 500_000, 3));
              String line = r.json();
              if (badEvery > 0 && random.nextInt(badEvery) == 0) {
                line = random.nextBoolean() ? line.substring(0, line.length() / 3)
                    : line.replace("\"value\": ", "\"value\": \"") + "\"";
                line = line.endsWith("}\"") ? line.substring(0, line.length() - 2) + "\"}" : line;
              } else {
                valid.add(r);
              }
              w.append(line).append('\n');
            }
          }
        }
      }
    }
    return valid;
  }

  private static long countBad(Path dir) throws Exception {
    long bad = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.endsWith("}") || line.contains("\"value\": \"")) {
            bad++;
          }
        }
      }
    }
    return bad;
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return out;
  }

  private static List<String> with(List<String> base, List<String> middle, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(middle);
    out.addAll(List.of(more));
    return out;
  }

  /** Runs a CLI command to its end; it must succeed. */
  private static void run(Path work, String name, List<String> args) throws Exception {
    Process p = start(work, name, args);
    if (!p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(name + " failed; see " + work.resolve("logs/" + name + ".log"));
    }
  }

  private static Process start(Path work, String name, List<String> args) throws Exception {
    return IngestBench.startCli(work, name, "1g", args);
  }
}
