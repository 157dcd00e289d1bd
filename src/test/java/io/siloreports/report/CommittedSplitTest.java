package io.siloreports.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Invariant 2 on the embedded default (files, Parquet): the report reads the aggregates plus only the files the
 * stream has not committed (its checkpoint's file log), merged into the committed hours, so it equals a plain-Java
 * computation over every reading that has arrived while the stream lags: shuffled readings (every file holds every
 * hour), part of them streamed, more arriving after, late ones for committed hours among them. The committed files
 * are moved away before the reports: a report that read them would fail or count them twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommittedSplitTest {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final SparkSession spark = LocalSpark.get();
  @TempDir static Path dir;
  private Map<String, String> profile;
  private ReportJobStore jobs;
  private final List<Oracle.Reading> arrived = new ArrayList<>();
  private final List<List<Oracle.Reading>> files = new ArrayList<>();

  @BeforeAll
  void input() {
    profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    jobs = Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), true, CLOCK);
    List<Oracle.Reading> all = new ArrayList<>(
        TestData.readings(new Random(25)).silos(4).hours(DAY, 0, 12).every(60, 240).jitter().build());
    Collections.shuffle(all, new Random(7));
    for (int f = 0; f < 6; f++) {
      files.add(all.subList(f * all.size() / 6, (f + 1) * all.size() / 6));
    }
  }

  @AfterAll
  void closeJobs() {
    jobs.close();
  }

  private void arrive(int file) throws Exception {
    InputFiles.write(dir.resolve("input/silo-readings"), String.format("shuffled-%02d.jsonl", file),
        TestData.json(files.get(file)));
    arrived.addAll(files.get(file));
  }

  private AggregationProgress progress() {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
        .last(Pipeline.SILO_READINGS).orElseThrow();
  }

  /** A report of DAY with cut-off {@code asOf} equals the oracle over the readings that arrived before it. */
  private void reportEqualsOracle(String jobId, Instant asOf) throws Exception {
    SiloReport.Outcome outcome = Wiring.report(ReportConfig.from(Settings.of(profile)), spark, jobs, CLOCK)
        .run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), asOf));
    assertEquals(JobStatus.COMPLETED, outcome.status(), () -> "report failed: " + outcome.error());
    Path file = Path.of(URI.create(jobs.find(jobId).orElseThrow().s3Url()));
    var expected = Oracle.hourly(arrived.stream().filter(r -> r.ts().isBefore(asOf)).toList());
    assertTrue(expected.size() > 20, "the case has data to compare");
    WorkbookReader.assertEqualsOracle(expected, WorkbookReader.read(file).rows());
  }

  @Test
  @Order(1)
  void exactWhenTheStreamHasCommittedNothing() throws Exception {
    arrive(0);
    arrive(1);
    reportEqualsOracle("nothing-committed", NOW);
  }

  @Test
  @Order(2)
  void exactWhileTheStreamLagsReadingOnlyWhatItHasNotCommitted() throws Exception {
    arrive(2);
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run(); // available-now: files 0-2
    assertEquals(2, progress().batchId(), "one file per batch");
    // Committed files leave the input directory (as cleanSource would archive them): the report must not need them.
    Path archive = Files.createDirectories(dir.resolve("archive"));
    for (int f = 0; f < 3; f++) {
      String name = String.format("shuffled-%02d.jsonl", f);
      Files.move(dir.resolve("input/silo-readings").resolve(name), archive.resolve(name));
    }
    arrive(3);
    arrive(4);
    arrive(5); // every hour of these is also in the aggregates: the report merges them into the committed hours
    reportEqualsOracle("lagging", NOW);
    profile.put("sink.parquet.direct-read-max-rows", "0"); // the aggregates read by Spark: the same numbers
    try {
      reportEqualsOracle("lagging-spark-read", NOW);
    } finally {
      profile.remove("sink.parquet.direct-read-max-rows");
    }
  }

  @Test
  @Order(3)
  void aCutOffBeforeTheNewestCommittedReadingReadsItsHourFromCommittedFilesToo() throws Exception {
    for (int f = 0; f < 3; f++) { // the cut-off's hour needs the committed readings before the cut-off, raw
      String name = String.format("shuffled-%02d.jsonl", f);
      Files.move(dir.resolve("archive").resolve(name), dir.resolve("input/silo-readings").resolve(name));
    }
    reportEqualsOracle("cut-off-mid-hour", DAY.plus(Duration.ofMinutes(5 * 60 + 30)));
  }

  @Test
  @Order(4)
  void exactOnceCaughtUpAndAfterMoreArrives() throws Exception {
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
    assertEquals(5, progress().batchId());
    assertTrue(progress().lateTotal() > 0, "the later files held late readings for committed hours");
    reportEqualsOracle("caught-up", NOW);
    List<Oracle.Reading> more = TestData.readings(new Random(26)).silos(4).hours(DAY, 2, 14).every(300, 900).build();
    files.add(more);
    arrive(6);
    reportEqualsOracle("caught-up-then-more", NOW);
  }
}
