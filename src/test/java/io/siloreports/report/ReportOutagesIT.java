package io.siloreports.report;

import io.siloreports.reportjob.ReportJobLifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.hot.RawHotReadings;
import io.siloreports.report.workbook.CsvZipWriter;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.report.workbook.WorkbookWriter;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.LogCapture;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The servers a report needs go away while it runs. MySQL (the aggregates and the job store) stopped in the middle
 * of reading the aggregates: the job ends FAILED with a reason naming the database, recorded once the database is
 * back (the FAILED mark is retried for {@code report.job-store-retry}), and the run never hangs; past that retry the
 * run gives up in bounded time and the reaper ends the job. S3 stopped before the upload: FAILED naming S3 and the
 * bucket, no object; S3 back, a new job completes with an object that its presigned URL downloads and whose rows
 * equal the stored hours. And a batch that commits while a report reads the aggregates is in none of its silos.
 *
 * <p>Where the outage lands is made certain, not timed: the workbook writer (the product's own, wrapped) holds the
 * report at its first row until the test has stopped the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportOutagesIT {
  private static final Instant FIRST = Instant.parse("2026-03-01T00:00:00Z");
  private static final int SILOS = 100;
  /**
   * 200,000 rows (~20 MB on the wire): the read keeps going while MariaDB shuts down; outages here broke reads at
   * rows 24,576 (of 240,000) and 96,256 (of 100,000, two reports at once on a busy machine).
   */
  private static final int HOURS = 2_000;
  private EmbeddedMySql mysql;
  private EmbeddedS3 s3;
  @TempDir static Path tmp;

  @BeforeAll
  void start() {
    mysql = new EmbeddedMySql().start(); // their own servers: this test stops them
    s3 = new EmbeddedS3().start();
    loadAggregates(config("2m"));
  }

  @AfterAll
  void stop() {
    mysql.close();
    s3.close();
  }

  /** The stored hours, a formula of silo and hour, the same in SQL (to load them) and in Java (the oracle). */
  private void loadAggregates(ReportConfig config) {
    Wiring.prepareAggregates(config.db(), true);
    mysql.execute(storedHours(HOURS),
        "INSERT INTO aggregation_progress (pipeline, last_batch_id, finalized_before, max_event_time, valid_total,"
            + " bad_total, late_total, updated_at) VALUES ('silo-readings', 7, '2026-07-01 00:00:00',"
            + " '2026-07-01 01:00:00', 0, 0, 0, NOW(3))");
  }

  /** The statement that stores the first {@code hours} hours of every silo ({@link #oracle} in SQL). */
  private static String storedHours(int hours) {
    return "INSERT INTO silo_hourly_aggregates (silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
        + " record_count, sum_exact, min_exact, max_exact, updated_at)"
        + " SELECT s.seq, TIMESTAMPADD(HOUR, h.seq, '2026-03-01 00:00:00'),"
        + " ROUND((s.seq * 10 + h.seq % 97 + 0.125) / (1 + (s.seq + h.seq) % 5), 2), h.seq % 89 - 20,"
        + " s.seq + h.seq % 53 + 0.5, s.seq * 10 + h.seq % 97 + 0.125, 1 + (s.seq + h.seq) % 5,"
        + " s.seq * 10 + h.seq % 97 + 0.125, h.seq % 89 - 20, s.seq + h.seq % 53 + 0.5, NOW(3)"
        + " FROM (SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_" + SILOS + ") s,"
        + " (SELECT CAST(seq AS SIGNED) AS seq FROM seq_0_to_" + (hours - 1) + ") h";
  }

  private static Map<Oracle.HourKey, WorkbookReader.Line> oracle(int silos, int hours) {
    return oracle(java.util.stream.IntStream.rangeClosed(1, silos).boxed().toList(), hours, null);
  }

  /** The stored hours of {@code silos}, each merged with one more reading of {@code extra} when it is not null. */
  private static Map<Oracle.HourKey, WorkbookReader.Line> oracle(List<Integer> silos, int hours, BigDecimal extra) {
    Map<Oracle.HourKey, WorkbookReader.Line> out = new TreeMap<>();
    for (int s : silos) {
      for (int h = 0; h < hours; h++) {
        BigDecimal sum = BigDecimal.valueOf(s * 10L + h % 97).add(new BigDecimal("0.125"));
        long count = 1 + (s + h) % 5;
        BigDecimal min = BigDecimal.valueOf(h % 89 - 20);
        BigDecimal max = BigDecimal.valueOf(s + h % 53).add(new BigDecimal("0.5"));
        if (extra != null) {
          sum = sum.add(extra);
          count++;
          min = min.min(extra);
          max = max.max(extra);
        }
        out.put(new Oracle.HourKey(s, FIRST.plus(h, ChronoUnit.HOURS)), new WorkbookReader.Line(
            sum.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_UP), min.setScale(2, RoundingMode.HALF_UP),
            max.setScale(2, RoundingMode.HALF_UP), sum.setScale(2, RoundingMode.HALF_UP), count));
      }
    }
    return out;
  }

  private ReportConfig config(String jobStoreRetry) {
    Map<String, String> m = Profiles.s3(Profiles.mysql(Profiles.embedded(tmp), mysql, null), s3, "outages");
    m.put("report.job-store-retry", jobStoreRetry);
    m.put("report.processing-timeout", "1s");
    m.put("report.job-check-interval", "200ms");
    return ReportConfig.from(Settings.of(m));
  }

  /** The product's writer, held at its first row until {@link #release} (and counting the rows it was given). */
  private static final class HeldWriter implements WorkbookWriter {
    final WorkbookWriter real;
    final CountDownLatch atFirstRow = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicLong rowsGiven = new AtomicLong();

    HeldWriter(WorkbookWriter real) {
      this.real = real;
    }

    @Override
    public WorkbookStats write(ReportHeader header, Iterator<FinalHourlyRow> rows, List<Integer> silos, Path target)
        throws IOException {
      return real.write(header, new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public FinalHourlyRow next() {
          FinalHourlyRow row = rows.next();
          if (rowsGiven.incrementAndGet() == 1) {
            atFirstRow.countDown();
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return row;
        }
      }, silos, target);
    }
  }

  /** A report wired like {@link Wiring#report}, with the held writer. */
  private SiloReport report(ReportConfig config, ReportJobStore jobs, WorkbookWriter writer) {
    Wiring.Stores stores = Wiring.stores(config.store(), LocalSpark::get, Wiring.hadoop(config.sparkConf()));
    return SiloReport.builder()
        .spark(LocalSpark::get)
        .aggregates(stores.aggregates(), stores.progress())
        .hot(new RawHotReadings(LocalSpark::get, Wiring.rawSource(config.source()), config.rules(), Clock.systemUTC(),
            Wiring.hadoop(config.sparkConf())))
        .jobs(jobs)
        .writers(writer, new CsvZipWriter(config.statistics()))
        .output(Wiring.reportOutput(config.output()))
        .defaultDays(config.defaultDays())
        .processingTimeout(config.processingTimeout())
        .jobStoreRetry(config.jobStoreRetry())
        .jobCheckInterval(config.jobCheckInterval())
        .clock(Clock.systemUTC())
        .build();
  }

  private static ReportRequest request(int hours, String silos) {
    return new ReportRequest(FIRST, FIRST.plus(hours, ChronoUnit.HOURS), ReportRequest.parseSilos(silos),
        FIRST.plus(hours, ChronoUnit.HOURS));
  }

  /**
   * Two reports, held at their first row, then MySQL stopped for longer than the shorter one's retry: that one gives up
   * in bounded time (its job is left to the reaper), the other records FAILED once MySQL is back.
   */
  @Test
  void mySqlStoppedWhileTheAggregatesAreReadEndsTheJobFailedNamingTheDatabase() throws Exception {
    ReportConfig patient = config("2m");
    ReportConfig impatient = config("3s");
    try (ReportJobStore jobs = Wiring.jobStore(patient.jobStore(), true, Clock.systemUTC());
        LogCapture log = LogCapture.of(ReportJobLifecycle.class)) {
      HeldWriter writer = new HeldWriter(new SxssfWorkbookWriter(patient.statistics()));
      HeldWriter gone = new HeldWriter(new SxssfWorkbookWriter(impatient.statistics()));
      CompletableFuture<SiloReport.Outcome> run = CompletableFuture.supplyAsync(
          () -> report(patient, jobs, writer).run("mysql-down", request(HOURS, "")));
      CompletableFuture<SiloReport.Outcome> gaveUp = CompletableFuture.supplyAsync(
          () -> report(impatient, jobs, gone).run("mysql-gone", request(HOURS, "")));
      assertTrue(writer.atFirstRow.await(60, TimeUnit.SECONDS), "the report reached its first row");
      assertTrue(gone.atFirstRow.await(60, TimeUnit.SECONDS), "the second report reached its first row");
      assertEquals(JobStatus.PROCESSING, jobs.find("mysql-down").orElseThrow().status());
      mysql.pause();
      long paused = System.nanoTime();
      writer.release.countDown();
      gone.release.countDown();

      // report.job-store-retry 3s: the run gives up in bounded time while MySQL is still down, FAILED, the job left
      // PROCESSING.
      SiloReport.Outcome outcome = gaveUp.get(30, TimeUnit.SECONDS);
      long gaveUpMillis = (System.nanoTime() - paused) / 1_000_000;
      assertEquals(JobStatus.FAILED, outcome.status());
      assertTrue(outcome.error().contains("MySQL at 127.0.0.1:" + mysql.port()), outcome.error());
      // Its read breaks once its rows read ahead are written (seconds on a busy machine), then 3 s of retries.
      assertTrue(gaveUpMillis >= 3_000 && gaveUpMillis < 60_000, "gave up after report.job-store-retry: "
          + gaveUpMillis);

      // report.job-store-retry 2m: the read broke once the rows read ahead were written; the FAILED mark waits.
      long last = -1;
      for (int i = 0; i < 40 && writer.rowsGiven.get() != last; i++) {
        last = writer.rowsGiven.get();
        Thread.sleep(1_000);
      }
      Thread.sleep(1_000);
      assertTrue(!run.isDone(), "the run waits for the job store to record FAILED");
      Instant resumedAt = Instant.now();
      mysql.resume();
      long resumed = System.nanoTime();
      outcome = run.get(60, TimeUnit.SECONDS); // never hangs
      long endedAfterResume = (System.nanoTime() - resumed) / 1_000_000;
      assertEquals(JobStatus.FAILED, outcome.status());
      assertTrue(writer.rowsGiven.get() < (long) SILOS * HOURS,
          "the outage landed during the read: " + writer.rowsGiven.get() + " of " + SILOS * HOURS + " rows");
      ReportJob job = jobs.find("mysql-down").orElseThrow();
      assertEquals(JobStatus.FAILED, job.status());
      String where = "MySQL at 127.0.0.1:" + mysql.port() + "/" + mysql.database() + " unreachable while reading";
      assertTrue(job.errorMessage().contains(where), job.errorMessage());
      assertNull(job.s3Key());
      assertTrue(!job.finishedAt().isBefore(resumedAt.truncatedTo(ChronoUnit.SECONDS)),
          "recorded after the database came back: " + job.finishedAt() + " vs " + resumedAt);
      assertTrue(endedAfterResume < 15_000, "recorded within a retry interval of the database's return: "
          + endedAfterResume + " ms");
      // Each attempt while the job store was down was logged with its wait, and the one that got through too.
      List<String> retries = log.linesWith("WARN report mysql-down: cannot record FAILED in the job store",
          "(report.job-store-retry)");
      assertTrue(retries.size() >= 2, "retried, each attempt logged: " + log.lines());
      assertEquals(1, log.linesWith("report mysql-down: FAILED recorded in the job store at attempt "
          + (retries.size() + 1)).size(), log.lines().toString());
      assertEquals(1, log.linesWith("ERROR report mysql-gone: the job store stayed unreachable for PT3S").size(),
          "the impatient run said it gave up: " + log.lines());
      System.out.printf("OUTAGE mysql: paused at row %d of %d, down %d ms, FAILED recorded %d ms after it came back:"
          + " %s; the run with report.job-store-retry=3s gave up after %d ms%n", writer.rowsGiven.get(),
          SILOS * HOURS, (resumed - paused) / 1_000_000, endedAfterResume, job.errorMessage(), gaveUpMillis);

      // Nothing could record the impatient run's end: the reaper does, as it would any run that stopped.
      assertEquals(JobStatus.PROCESSING, jobs.find("mysql-gone").orElseThrow().status());
      Thread.sleep(1_100);
      assertEquals(1, new ReportJobLifecycle(jobs).reapStuck(impatient.processingTimeout()));
      ReportJob reaped = jobs.find("mysql-gone").orElseThrow();
      assertEquals(JobStatus.FAILED, reaped.status());
      assertTrue(reaped.errorMessage().startsWith("timed out: PROCESSING"), reaped.errorMessage());
    }
  }

  /**
   * A batch that commits while a report reads the aggregates is in none of its silos: the report is held at its first
   * row while the next batch commits (every hour of every silo merged with one more reading of 1000.5, the sink's
   * merge, and the progress moved on, in one transaction), and it still equals the hours as they were; the next report
   * equals them as they are. The silos are asked for in descending order, one query each, and there are more rows
   * than the read runs ahead of the writer (RowsInSheetOrder's prefetch): the last silos' queries run after the commit,
   * and only the one snapshot of all of them keeps the report whole (with READ COMMITTED in its place the test fails).
   */
  @Test
  void aBatchCommittedWhileAReportReadsIsInNoneOfItsSilos() throws Exception {
    ReportConfig config = config("2m");
    List<Integer> silos = java.util.stream.IntStream.iterate(SILOS, s -> s >= 1, s -> s - 1).boxed().toList();
    int hours = 700; // 70,000 rows: more than the 65,536 read ahead
    String asked = silos.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC())) {
      HeldWriter writer = new HeldWriter(new SxssfWorkbookWriter(config.statistics()));
      CompletableFuture<SiloReport.Outcome> run = CompletableFuture.supplyAsync(
          () -> report(config, jobs, writer).run("during-a-commit", request(hours, asked)));
      assertTrue(writer.atFirstRow.await(60, TimeUnit.SECONDS), "the report reached its first row");
      Thread.sleep(2_000); // the read runs ahead as far as it may
      try (java.sql.Connection c = mysql.appConnection();
          java.sql.Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        int merged = st.executeUpdate("UPDATE silo_hourly_aggregates SET sum_exact = sum_exact + 1000.5,"
            + " record_count = record_count + 1, min_exact = LEAST(min_exact, 1000.5),"
            + " max_exact = GREATEST(max_exact, 1000.5), avg_value = ROUND(sum_exact / record_count, 2),"
            + " min_value = ROUND(min_exact, 2), max_value = ROUND(max_exact, 2), sum_value = ROUND(sum_exact, 2)"
            + " WHERE hour_start < TIMESTAMPADD(HOUR, " + hours + ", '2026-03-01')");
        st.executeUpdate("UPDATE aggregation_progress SET last_batch_id = last_batch_id + 1, valid_total = valid_total"
            + " + " + merged + ", updated_at = NOW(3) WHERE pipeline = 'silo-readings'");
        c.commit();
        assertEquals(SILOS * hours, merged);
      }
      long givenAtCommit = writer.rowsGiven.get();
      writer.release.countDown();
      try {
        SiloReport.Outcome during = run.get(180, TimeUnit.SECONDS);
        assertEquals(JobStatus.COMPLETED, during.status(), during.error());
        assertEquals(1, givenAtCommit, "the commit landed while the report was held at its first row");
        assertSameRows(oracle(silos, hours, null), WorkbookReader.read(Path.of(outputFile(during))).rows(),
            "the report read every silo as of the batch before");

        SiloReport.Outcome next = report(config, jobs, new SxssfWorkbookWriter(config.statistics()))
            .run("after-the-commit", request(hours, asked));
        assertEquals(JobStatus.COMPLETED, next.status(), next.error());
        assertSameRows(oracle(silos, hours, new BigDecimal("1000.5")),
            WorkbookReader.read(Path.of(outputFile(next))).rows(), "the next report has the batch");
      } finally { // the other tests read these hours as the formula stores them
        mysql.execute("DELETE FROM silo_hourly_aggregates WHERE hour_start < TIMESTAMPADD(HOUR, " + hours
            + ", '2026-03-01')", storedHours(hours));
      }
    }
  }

  /**
   * A run whose job was ended elsewhere while it ran (timed out: the worker or a reaper failed it, and its cancellation
   * did not reach this process, as with a YARN driver) stops at its next row: no object is stored and the job keeps
   * the reason it was ended with.
   */
  @Test
  void aRunWhoseJobWasEndedElsewhereStopsAtItsNextRow() throws Exception {
    ReportConfig config = config("2m");
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC());
        S3Client client = s3.s3Client()) {
      HeldWriter writer = new HeldWriter(new SxssfWorkbookWriter(config.statistics()));
      CompletableFuture<SiloReport.Outcome> run = CompletableFuture.supplyAsync(
          () -> report(config, jobs, writer).run("ended-elsewhere", request(HOURS, "")));
      assertTrue(writer.atFirstRow.await(60, TimeUnit.SECONDS), "the report reached its first row");
      assertTrue(new ReportJobLifecycle(jobs.as("worker")).fail("ended-elsewhere", "timed out: the test ended it"));
      Thread.sleep(1_000); // several of the run's checks (report.job-check-interval 200ms)
      writer.release.countDown();
      SiloReport.Outcome outcome = run.get(60, TimeUnit.SECONDS);
      assertEquals(JobStatus.FAILED, outcome.status());
      assertTrue(outcome.error().contains("report job ended-elsewhere was ended while its report ran (FAILED: timed"
          + " out: the test ended it); the run stops"), outcome.error());
      assertTrue(writer.rowsGiven.get() < 10, "it stopped at its next row: " + writer.rowsGiven.get());
      ReportJob job = jobs.find("ended-elsewhere").orElseThrow();
      assertEquals("timed out: the test ended it", job.errorMessage(), "the job keeps the reason it was ended with");
      assertEquals(0, client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("outages/reports/ended-elsewhere/"))
          .contents().size(), "no object stored");
    }
  }

  /** Equal rows, or a failure that says how many differ and in which silos (not 70,000 rows printed). */
  private static void assertSameRows(Map<Oracle.HourKey, WorkbookReader.Line> expected,
      Map<Oracle.HourKey, WorkbookReader.Line> got, String what) {
    java.util.TreeSet<Integer> silos = new java.util.TreeSet<>();
    long differ = 0;
    for (Oracle.HourKey k : expected.keySet()) {
      if (!expected.get(k).equals(got.get(k))) {
        differ++;
        silos.add(k.siloId());
      }
    }
    assertTrue(differ == 0 && expected.size() == got.size(), what + ": " + differ + " of " + expected.size()
        + " rows differ (" + got.size() + " rows in the workbook), in silos " + silos);
  }

  /** A completed report's workbook, downloaded from S3 into the test's folder. */
  private String outputFile(SiloReport.Outcome outcome) throws Exception {
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(outcome.url())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    Path file = tmp.resolve(outcome.jobId() + ".xlsx");
    Files.write(file, response.body());
    return file.toString();
  }

  @Test
  void s3StoppedBeforeTheUploadEndsTheJobFailedWithoutAnObjectAndANewJobCompletesOnceItIsBack() throws Exception {
    ReportConfig config = config("2m");
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), true, Clock.systemUTC());
        S3Client client = s3.s3Client()) {
      HeldWriter writer = new HeldWriter(new SxssfWorkbookWriter(config.statistics()));
      SiloReport report = report(config, jobs, writer);
      CompletableFuture<SiloReport.Outcome> run =
          CompletableFuture.supplyAsync(() -> report.run("s3-down", request(48, "1-3")));
      assertTrue(writer.atFirstRow.await(60, TimeUnit.SECONDS), "the report reached its first row");
      s3.pause();
      writer.release.countDown();
      SiloReport.Outcome outcome = run.get(60, TimeUnit.SECONDS);
      assertEquals(JobStatus.FAILED, outcome.status());
      ReportJob failed = jobs.find("s3-down").orElseThrow();
      assertEquals(JobStatus.FAILED, failed.status());
      assertTrue(failed.errorMessage().contains("cannot reach S3 for s3://" + s3.bucket() + "/outages/reports/s3-down/"),
          failed.errorMessage());
      assertNull(failed.s3Url());
      s3.resume();
      assertEquals(0, client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("outages/reports/s3-down/"))
          .contents().size(), "no object of the failed job");

      SiloReport.Outcome again = report(config, jobs, new SxssfWorkbookWriter(config.statistics()))
          .run("s3-back", request(48, "1-3"));
      assertEquals(JobStatus.COMPLETED, again.status(), again.error());
      ReportJob done = jobs.find("s3-back").orElseThrow();
      assertNotNull(client.headObject(b -> b.bucket(s3.bucket()).key(done.s3Key())).contentLength());
      HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(done.s3Url())).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, response.statusCode());
      Path file = tmp.resolve("s3-back.xlsx");
      Files.write(file, response.body());
      assertEquals(oracle(3, 48), WorkbookReader.read(file).rows());
    }
  }
}
