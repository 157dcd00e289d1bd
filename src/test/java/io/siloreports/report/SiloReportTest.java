package io.siloreports.report;

import io.siloreports.report.hot.RawHotReadings;
import io.siloreports.report.output.LocalReportOutput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.cli.StreamConfig;
import io.siloreports.stream.StreamJob;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.WorkbookReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 2 end to end: raw files -> stream (or not) -> report -> workbook read back with POI -> every
 * cell equals a plain-Java computation over the readings before the cut-off, whether the stream never ran,
 * stopped part-way, or restarted on its checkpoint; late readings are left out.
 */
class SiloReportTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;
  private ReportJobStore jobs;
  private ParquetAggregateStore store;
  private final List<Oracle.Reading> all = new ArrayList<>();
  private final Random rnd = new Random(99);

  @BeforeEach
  void setUp() {
    jobs = new JdbcReportJobStore("jdbc:sqlite:" + tmp.resolve("jobs.db"), CLOCK);
    jobs.migrate();
    store = new ParquetAggregateStore(spark, tmp.resolve("warehouse").toString());
  }

  @AfterEach
  void tearDown() {
    jobs.close();
  }

  /** Writes one file of readings for silos 1..3 during hours [h0, h1) of DAY, plus optional extra lines. */
  private void file(int index, int h0, int h1, List<Oracle.Reading> notCounted, List<String> junk) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int silo = 1; silo <= 3; silo++) {
      for (Instant t = DAY.plus(h0, ChronoUnit.HOURS); t.isBefore(DAY.plus(h1, ChronoUnit.HOURS));
          t = t.plusSeconds(100 + rnd.nextInt(200))) {
        Oracle.Reading r = new Oracle.Reading(silo, t, BigDecimal.valueOf(rnd.nextInt(1_000_000) - 100_000, 3));
        all.add(r);
        lines.add(r.json());
      }
    }
    notCounted.forEach(r -> lines.add(r.json()));
    lines.addAll(junk);
    InputFiles.write(tmp.resolve("input/silo-readings"), String.format("readings-%02d.jsonl", index), lines);
  }

  private void stream() throws Exception {
    Settings s =
        Settings.of(
            Map.of(
                "input.dir", tmp.resolve("input").toString(),
                "warehouse.dir", store.root(),
                "checkpoint.dir", tmp.resolve("checkpoints").toString(),
                "stream.pipelines", "silo-readings",
                "stream.allowed-lateness", "30m",
                "source.file.maxFilesPerTrigger", "1"));
    new StreamJob(StreamConfig.from(s), spark, store, CLOCK).runToEnd();
  }

  private SiloReport report(ParquetAggregateStore aggregates, Path outputDir) {
    return new SiloReport(spark, aggregates,
        new RawHotReadings(spark, new RawFileSource(tmp.resolve("input").toString()), ValidationRules.DEFAULT, CLOCK),
        jobs, new SxssfWorkbookWriter(), new LocalReportOutput(outputDir), 31, Duration.ofMinutes(30), CLOCK);
  }

  /** Runs a report over all of DAY with cut-off {@code asOf}, checks it against the oracle, returns the job. */
  private ReportJob reportEqualsOracle(String jobId, Instant asOf, Predicate<Oracle.Reading> counted) throws Exception {
    SiloReport.Outcome outcome =
        report(store, tmp.resolve("out")).run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), asOf));
    assertEquals(JobStatus.COMPLETED, outcome.status(), () -> "report failed: " + outcome.error());
    ReportJob job = jobs.find(jobId).orElseThrow();
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("reports/" + jobId + "/silo_data_report.xlsx", job.s3Key());
    Path file = Path.of(URI.create(job.s3Url()));
    assertEquals(tmp.resolve("out").resolve(job.s3Key()).toAbsolutePath(), file);

    List<Oracle.Reading> expectedReadings = all.stream().filter(r -> r.ts().isBefore(asOf)).filter(counted).toList();
    TreeMap<Oracle.HourKey, Oracle.Hour> expected = Oracle.hourly(expectedReadings);
    WorkbookReader.Workbook wb = WorkbookReader.read(file);
    WorkbookReader.assertEqualsOracle(expected, wb.rows());
    assertEquals("Summary", wb.sheetNames().get(0));
    assertEquals(List.of("Summary", "Silo 1", "Silo 2", "Silo 3"), wb.sheetNames());
    assertTrue(expected.size() > 3, "the case has data to compare");
    assertEquals(expected.size(), outcome.stats().totalRows());
    return job;
  }

  @Test
  void reportIsExactWhenTheStreamNeverRanStoppedPartWayOrRestarted() throws Exception {
    List<String> junk = List.of("{oops", "{\"silo_id\": 1, \"ts\": \"2026-11-20T03:00:00Z\", \"value\": \"x\"}");
    for (int f = 0; f < 3; f++) {
      file(f, 2 * f, 2 * f + 2, List.of(), f == 1 ? junk : List.of());
    }
    // 1. The stream never ran: everything comes from raw; a cut-off in the middle of hour 3.
    reportEqualsOracle("never-started", DAY.plus(Duration.ofMinutes(200)), r -> true);

    // 2. The stream ran over the first two files only (it stops: available-now), the third is not streamed.
    Files.move(tmp.resolve("input/silo-readings/readings-02.jsonl"), tmp.resolve("held-back.jsonl"));
    stream();
    Instant f1 = store.progress(Pipeline.SILO_READINGS).orElseThrow().finalizedBefore();
    assertEquals(DAY.plus(3, ChronoUnit.HOURS), f1, "hours 0-2 final after hour 3 passed 30 minutes of lateness");
    Files.move(tmp.resolve("held-back.jsonl"), tmp.resolve("input/silo-readings/readings-02.jsonl"));
    reportEqualsOracle("stream-lagging", NOW, r -> true);
    // a cut-off before finalized_before: those hours come raw, cut at the cut-off
    reportEqualsOracle("as-of-before-finalized", DAY.plus(Duration.ofMinutes(90)), r -> true);

    // 3. Late readings arrive for finalized hours, and the stream restarts on its checkpoint.
    List<Oracle.Reading> late =
        List.of(new Oracle.Reading(2, DAY.plus(Duration.ofMinutes(30)), new BigDecimal("999.99")),
            new Oracle.Reading(3, DAY.plus(Duration.ofMinutes(170)), new BigDecimal("-5.5")));
    file(3, 6, 8, late, List.of());
    stream();
    assertEquals(2, store.progress(Pipeline.SILO_READINGS).orElseThrow().lateTotal());
    assertEquals(DAY.plus(7, ChronoUnit.HOURS), store.progress(Pipeline.SILO_READINGS).orElseThrow().finalizedBefore());
    ReportJob job = reportEqualsOracle("after-restart", NOW, r -> !late.contains(r));
    assertNull(job.errorMessage());
    assertTrue(job.startedAt() != null && job.finishedAt() != null);

    // A job runs once.
    assertThrows(SiloReport.JobNotPendingException.class,
        () -> report(store, tmp.resolve("out")).run("after-restart", new ReportRequest(null, null, List.of(), null)));
  }

  @Test
  void aJobStoredByTheApiRunsWithItsStoredParamsAndSilos() throws Exception {
    file(0, 0, 3, List.of(), List.of());
    ReportRequest stored = new ReportRequest(DAY, DAY.plus(2, ChronoUnit.HOURS), List.of(2, 7), NOW);
    jobs.create("from-api", SiloReport.REPORT_TYPE, stored.toJson());
    SiloReport.Outcome outcome = report(store, tmp.resolve("out")).run("from-api", new ReportRequest(null, null, List.of(), null));
    assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
    WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(outcome.url())));
    assertEquals(List.of("Summary", "Silo 2", "Silo 7"), wb.sheetNames(), "a requested silo without data still gets its sheet");
    WorkbookReader.assertEqualsOracle(
        Oracle.hourly(all.stream().filter(r -> r.siloId() == 2 && r.ts().isBefore(DAY.plus(2, ChronoUnit.HOURS))).toList()),
        wb.rows());
  }

  @Test
  void aFailingReportEndsFailedWithAReadableReason() throws Exception {
    file(0, 0, 1, List.of(), List.of());
    Path notADirectory = tmp.resolve("out-is-a-file");
    Files.writeString(notADirectory, "x");
    SiloReport.Outcome outcome = report(store, notADirectory).run("doomed", new ReportRequest(null, null, List.of(), null));
    assertEquals(JobStatus.FAILED, outcome.status());
    ReportJob job = jobs.find("doomed").orElseThrow();
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().contains("FileAlreadyExistsException") || job.errorMessage().contains("out-is-a-file"),
        job.errorMessage());
    assertTrue(job.finishedAt() != null);
  }
}
