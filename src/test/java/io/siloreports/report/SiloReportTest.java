package io.siloreports.report;

import io.siloreports.reportjob.JobNotPendingException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 2 on the embedded default: raw files -> stream (or not) -> report -> workbook read back with POI ->
 * every cell equals a plain-Java computation over the readings before the cut-off, whether the stream never ran,
 * stopped part-way, or restarted on its checkpoint; late readings are left out. A behaviour per test over one
 * shared input directory, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SiloReportTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final SparkSession spark = LocalSpark.get();
  @TempDir static Path dir;
  private Map<String, String> profile;
  private ReportJobStore jobs;
  private final List<Oracle.Reading> all = new ArrayList<>();
  private final Random rnd = new Random(99);
  private final List<Oracle.Reading> late =
      List.of(new Oracle.Reading(2, DAY.plus(Duration.ofMinutes(30)), new BigDecimal("999.99")),
          new Oracle.Reading(3, DAY.plus(Duration.ofMinutes(170)), new BigDecimal("-5.5")));

  @BeforeAll
  void input() throws Exception {
    profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    jobs = Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), true, CLOCK);
    List<String> junk = List.of("{oops", "{\"silo_id\": 1, \"ts\": \"2026-11-20T03:00:00Z\", \"value\": \"x\"}");
    for (int f = 0; f < 3; f++) {
      file(f, 2 * f, 2 * f + 2, List.of(), f == 1 ? junk : List.of());
    }
  }

  @AfterAll
  void closeJobs() {
    jobs.close();
  }

  /** Writes one file of readings for silos 1..3 during hours [h0, h1) of DAY, plus lines not counted. */
  private void file(int index, int h0, int h1, List<Oracle.Reading> notCounted, List<String> junk) throws Exception {
    List<Oracle.Reading> r = TestData.readings(rnd).silos(3).hours(DAY, h0, h1).every(100, 299).bySilo().build();
    all.addAll(r);
    List<String> lines = new ArrayList<>(TestData.json(r));
    lines.addAll(TestData.json(notCounted));
    lines.addAll(junk);
    InputFiles.write(dir.resolve("input/silo-readings"), String.format("readings-%02d.jsonl", index), lines);
  }

  private void stream() throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
  }

  private SiloReport report(Map<String, String> settings) {
    return Wiring.report(ReportConfig.from(Settings.of(settings)), spark, jobs, CLOCK);
  }

  private AggregationProgress progress() {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
        .last(Pipeline.SILO_READINGS).orElseThrow();
  }

  /** Runs a report over all of DAY with cut-off {@code asOf}, checks it against the oracle, returns the job. */
  private ReportJob reportEqualsOracle(String jobId, Instant asOf, Predicate<Oracle.Reading> counted) throws Exception {
    return reportEqualsOracle(report(profile), jobId, asOf, counted);
  }

  private ReportJob reportEqualsOracle(SiloReport report, String jobId, Instant asOf, Predicate<Oracle.Reading> counted)
      throws Exception {
    SiloReport.Outcome outcome =
        report.run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), asOf));
    assertEquals(JobStatus.COMPLETED, outcome.status(), () -> "report failed: " + outcome.error());
    ReportJob job = jobs.find(jobId).orElseThrow();
    assertEquals(JobStatus.COMPLETED, job.status());
    assertEquals("reports/" + jobId + "/silo_data_report.xlsx", job.s3Key());
    Path file = Path.of(URI.create(job.s3Url()));
    assertEquals(dir.resolve("output").resolve(job.s3Key()).toAbsolutePath(), file);

    TreeMap<Oracle.HourKey, Oracle.Hour> expected =
        Oracle.hourly(all.stream().filter(r -> r.ts().isBefore(asOf)).filter(counted).toList());
    WorkbookReader.Workbook wb = WorkbookReader.read(file);
    WorkbookReader.assertEqualsOracle(expected, wb.rows());
    assertEquals(List.of("Summary", "Silo 1", "Silo 2", "Silo 3", "Anomalies", "Gaps"), wb.sheetNames());
    assertTrue(expected.size() > 3, "the case has data to compare");
    assertEquals(expected.size(), outcome.stats().totalRows());
    assertSummaryEqualsRawReadings(jobId, file, all.stream().filter(r -> r.ts().isBefore(asOf)).filter(counted)
        .toList(), DAY, DAY.plus(1, ChronoUnit.DAYS), asOf);
    return job;
  }

  /**
   * The Summary's per-silo statistics and the job's stored summary against a plain computation over the raw readings:
   * readings, hours without data, exact average, min and max with their hour.
   */
  private void assertSummaryEqualsRawReadings(String jobId, Path file, List<Oracle.Reading> counted, Instant from,
      Instant to, Instant asOf) throws Exception {
    Map<Integer, Map<String, Object>> table = WorkbookReader.siloSummaries(file);
    Instant cutoffHourEnd = asOf.truncatedTo(ChronoUnit.HOURS).equals(asOf) ? asOf
        : asOf.truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    long rangeHours = java.time.Duration.between(from, cutoffHourEnd.isBefore(to) ? cutoffHourEnd : to).toHours();
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(jobs.summary(jobId).orElseThrow(() -> new AssertionError("no summary stored for " + jobId)));
    long allReadings = 0;
    BigDecimal allSum = BigDecimal.ZERO;
    for (int silo : List.of(1, 2, 3)) {
      List<Oracle.Reading> mine = counted.stream().filter(r -> r.siloId() == silo).toList();
      Map<String, Object> row = table.get(silo);
      String where = jobId + " silo " + silo;
      assertEquals(BigDecimal.valueOf(mine.size()), ((BigDecimal) row.get("readings")).stripTrailingZeros()
          .setScale(0), where + " readings");
      long hours = mine.stream().map(r -> r.ts().truncatedTo(ChronoUnit.HOURS)).distinct().count();
      assertEquals(rangeHours - hours, ((BigDecimal) row.get("hours without data")).longValue(), where + " gaps");
      BigDecimal sum = mine.stream().map(Oracle.Reading::value).reduce(BigDecimal.ZERO, BigDecimal::add);
      BigDecimal average = sum.divide(BigDecimal.valueOf(mine.size()), 2, java.math.RoundingMode.HALF_UP);
      assertEquals(0, average.compareTo((BigDecimal) row.get("average")), where + " average " + row.get("average"));
      Oracle.Reading min = mine.stream().min(java.util.Comparator.comparing(Oracle.Reading::value)
          .thenComparing(Oracle.Reading::ts)).orElseThrow();
      Oracle.Reading max = mine.stream().max(java.util.Comparator.comparing(Oracle.Reading::value)
          .thenComparing(Oracle.Reading::ts, java.util.Comparator.reverseOrder())).orElseThrow();
      assertEquals(0, min.value().setScale(2, java.math.RoundingMode.HALF_UP).compareTo((BigDecimal) row.get("min")),
          where + " min");
      assertEquals(0, max.value().setScale(2, java.math.RoundingMode.HALF_UP).compareTo((BigDecimal) row.get("max")),
          where + " max");
      assertEquals(min.ts().truncatedTo(ChronoUnit.HOURS), row.get("min hour (UTC)"), where + " min hour");
      assertEquals(max.ts().truncatedTo(ChronoUnit.HOURS), row.get("max hour (UTC)"), where + " max hour");
      com.fasterxml.jackson.databind.JsonNode stored = json.get("silos").get(silo - 1);
      assertEquals(silo, stored.get("silo").asInt());
      assertEquals(mine.size(), stored.get("readings").asLong(), where + " stored readings");
      assertEquals(0, average.compareTo(stored.get("average").decimalValue()), where + " stored average");
      allReadings += mine.size();
      allSum = allSum.add(sum);
    }
    assertEquals(allReadings, json.get("allSilos").get("readings").asLong());
    assertEquals(0, allSum.divide(BigDecimal.valueOf(allReadings), 2, java.math.RoundingMode.HALF_UP)
        .compareTo((BigDecimal) table.get(-1).get("average")), "all silos: average");
  }

  @Test
  @Order(1)
  void exactWhenTheStreamNeverRan() throws Exception {
    reportEqualsOracle("never-started", DAY.plus(Duration.ofMinutes(200)), r -> true);
  }

  @Test
  @Order(2)
  void exactWhenTheStreamStoppedPartWay() throws Exception {
    Path held = dir.resolve("held-back.jsonl");
    Files.move(dir.resolve("input/silo-readings/readings-02.jsonl"), held);
    stream(); // over the first two files only (available-now stops)
    Files.move(held, dir.resolve("input/silo-readings/readings-02.jsonl"));
    assertEquals(DAY.plus(3, ChronoUnit.HOURS), progress().finalizedBefore(),
        "hours 0-2 final after hour 3 passed 30 minutes of lateness");
    reportEqualsOracle("stream-lagging", NOW, r -> true);
  }

  @Test
  @Order(3)
  void aCutOffBeforeFinalizedBeforeReadsThoseHoursRaw() throws Exception {
    reportEqualsOracle("as-of-before-finalized", DAY.plus(Duration.ofMinutes(90)), r -> true);
  }

  @Test
  @Order(4)
  void exactAfterARestartWithLateReadingsIncludedAndListedAsRevisions() throws Exception {
    file(3, 6, 8, late, List.of());
    all.addAll(late);
    stream();
    assertEquals(2, progress().lateTotal());
    assertEquals(DAY.plus(7, ChronoUnit.HOURS), progress().finalizedBefore());
    ReportJob job = reportEqualsOracle("after-restart", NOW, r -> true);
    assertNull(job.errorMessage());
    assertTrue(job.startedAt() != null && job.finishedAt() != null);

    WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(job.s3Url())));
    Map<Oracle.HourKey, Long> revised = new TreeMap<>();
    late.forEach(r -> revised.merge(new Oracle.HourKey(r.siloId(), r.ts().truncatedTo(ChronoUnit.HOURS)), 1L, Long::sum));
    assertEquals(revised, wb.late(), "the late column of the silo sheets");
    assertEquals(revised, wb.revisedHours(), "the summary lists the revised hours");
    assertEquals(2L, wb.facts().get("late readings included"));
    assertEquals(2L, wb.facts().get("hours revised after final"));

    // The same report with the store read by Spark (as a store too large to read directly is): the same numbers.
    profile.put("sink.parquet.direct-read-max-rows", "0");
    try {
      reportEqualsOracle("after-restart-spark-read", NOW, r -> true);
    } finally {
      profile.remove("sink.parquet.direct-read-max-rows");
    }
  }

  @Test
  @Order(5)
  void aJobRunsOnce() {
    assertThrows(JobNotPendingException.class,
        () -> report(profile).run("after-restart", new ReportRequest(null, null, List.of(), null)));
  }

  @Test
  @Order(6)
  void aJobStoredByTheApiRunsWithItsStoredParamsAndSilos() throws Exception {
    ReportRequest stored = new ReportRequest(DAY, DAY.plus(2, ChronoUnit.HOURS), List.of(2, 7), NOW);
    jobs.create("from-api", ReportRequest.REPORT_TYPE, stored.toJson());
    SiloReport.Outcome outcome = report(profile).run("from-api", new ReportRequest(null, null, List.of(), null));
    assertEquals(JobStatus.COMPLETED, outcome.status(), outcome.error());
    WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(outcome.url())));
    assertEquals(List.of("Summary", "Silo 2", "Silo 7", "Anomalies", "Gaps"), wb.sheetNames(),
        "a requested silo without data gets a sheet");
    WorkbookReader.assertEqualsOracle(Oracle.hourly(all.stream()
        .filter(r -> r.siloId() == 2 && r.ts().isBefore(DAY.plus(2, ChronoUnit.HOURS))).toList()), wb.rows());
  }

  /** The same request as a zip of CSV files: the same rows, the same rounded numbers, the same summary facts. */
  @Test
  @Order(9)
  void aReportOfTheEmbeddedDefaultStartsNoSpark() throws Exception {
    // What `jobs/silo-reports report` does on the embedded default: Spark only if a part needs it. Here none does
    // (a small Parquet store read directly, raw files read in the JVM): a session asked for fails the report.
    SiloReport withoutSpark = Wiring.report(ReportConfig.from(Settings.of(profile)), () -> {
      throw new AssertionError("the report asked for a SparkSession");
    }, new org.apache.hadoop.conf.Configuration(), jobs, CLOCK);
    reportEqualsOracle(withoutSpark, "no-spark", NOW, r -> true);
  }

  @Test
  @Order(8)
  void aCsvReportHoldsTheWorkbooksNumbers() throws Exception {
    ReportRequest request = new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), NOW, null, List.of());
    SiloReport.Outcome xlsx = report(profile).run("as-xlsx", request);
    SiloReport.Outcome csv = report(profile).run("as-csv", new ReportRequest(request.from(), request.to(),
        request.silos(), request.asOf(), ReportRequest.Format.CSV, List.of()));
    assertEquals(JobStatus.COMPLETED, csv.status(), csv.error());
    assertTrue(csv.url().endsWith("/reports/as-csv/silo_data_report.zip"), csv.url());
    WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(xlsx.url())));
    Map<Oracle.HourKey, WorkbookReader.Line> fromCsv = new TreeMap<>();
    Map<String, String> facts = new java.util.LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    try (java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(
        Files.newInputStream(Path.of(URI.create(csv.url()))))) {
      for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        names.add(e.getName());
        List<String> lines = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        if (e.getName().startsWith("silo-")) {
          int silo = Integer.parseInt(e.getName().replaceAll("\\D", ""));
          assertEquals("hour_start (UTC),avg,min,max,sum,count,late,revised at (UTC),anomaly", lines.get(0));
          for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            fromCsv.put(new Oracle.HourKey(silo, java.time.LocalDateTime.parse(f[0].replace(' ', 'T'))
                .toInstant(ZoneOffset.UTC)), new WorkbookReader.Line(new BigDecimal(f[1]), new BigDecimal(f[2]),
                new BigDecimal(f[3]), new BigDecimal(f[4]), Long.parseLong(f[5])));
          }
        } else {
          for (String line : lines) {
            String[] f = line.split(",", 2);
            if (f.length == 2) {
              facts.putIfAbsent(f[0], f[1]);
            }
          }
        }
      }
    }
    assertEquals(List.of("silo-1.csv", "silo-2.csv", "silo-3.csv", "summary.csv", "anomalies.csv", "gaps.csv"), names);
    assertEquals(wb.rows(), fromCsv, "every hour, every rounded number");
    assertEquals(String.valueOf(wb.rows().size()), facts.get("total rows"));
    assertEquals(String.valueOf(wb.facts().get("late readings included")), facts.get("late readings included"));
  }

  /** The same request as a PDF, through the job store and the output: stored as a .pdf, the workbook's facts. */
  @Test
  @Order(8)
  void aPdfReportIsStoredWithTheWorkbooksFacts() throws Exception {
    ReportRequest request = new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), NOW, null, List.of());
    SiloReport.Outcome xlsx = report(profile).run("for-pdf", request);
    SiloReport.Outcome pdf = report(profile).run("as-pdf", new ReportRequest(request.from(), request.to(),
        request.silos(), request.asOf(), ReportRequest.Format.PDF, List.of()));
    assertEquals(JobStatus.COMPLETED, pdf.status(), pdf.error());
    assertTrue(pdf.url().endsWith("/reports/as-pdf/silo_data_report.pdf"), pdf.url());
    Path file = Path.of(URI.create(pdf.url()));
    assertEquals("%PDF-", new String(Files.readAllBytes(file), 0, 5, java.nio.charset.StandardCharsets.US_ASCII));
    WorkbookReader.Workbook wb = WorkbookReader.read(Path.of(URI.create(xlsx.url())));
    assertEquals(wb.rows().size(), pdf.stats().totalRows(), "the PDF's rows are the workbook's");
    assertEquals(xlsx.stats().statistics().toJson(), pdf.stats().statistics().toJson(), "the same statistics");
  }

  @Test
  @Order(7)
  void aFailingReportEndsFailedWithAReadableReason() throws Exception {
    Path notADirectory = dir.resolve("out-is-a-file");
    Files.writeString(notADirectory, "x");
    Map<String, String> broken = new java.util.LinkedHashMap<>(profile);
    broken.put("report.output-dir", notADirectory.toString());
    SiloReport.Outcome outcome = report(broken).run("doomed", new ReportRequest(null, null, List.of(), null));
    assertEquals(JobStatus.FAILED, outcome.status());
    ReportJob job = jobs.find("doomed").orElseThrow();
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().contains("FileAlreadyExistsException") || job.errorMessage().contains("out-is-a-file"),
        job.errorMessage());
    assertTrue(job.finishedAt() != null);
  }
}
