package io.siloreports.worker;

import io.siloreports.reportjob.ReportJobLifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.output.LocalReportOutput;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.testing.JobStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a local output and a real job store, with the clock moved by hand. */
class RetentionTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  @TempDir Path dir;

  private ReportJobStore store(Instant now) {
    return JobStores.sqlite(dir, Clock.fixed(now, ZoneOffset.UTC), "test");
  }

  private void completed(ReportJobStore jobs, LocalReportOutput out, String id) throws Exception {
    jobs.create(id, "silo_hourly", "{}");
    jobs.markProcessing(id);
    Path file = Files.writeString(dir.resolve(id + ".xlsx"), "x");
    ReportOutput.Stored stored = out.store(file, "reports/" + id + "/silo_data_report.xlsx");
    jobs.markCompleted(id, stored.key(), stored.url());
  }

  @Test
  void oldReportsAreDeletedAndTheirJobsExpiredThenOldJobRowsArePruned() throws Exception {
    LocalReportOutput out = new LocalReportOutput(dir.resolve("output"));
    completed(store(T0), out, "old");
    completed(store(T0.plus(Duration.ofDays(20))), out, "recent");
    store(T0.plus(Duration.ofDays(20))).create("failed-long-ago", "silo_hourly", "{}");

    Instant now = T0.plus(Duration.ofDays(31));
    ReportJobStore jobs = store(now);
    new Retention(new ReportJobLifecycle(jobs), out, Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(10)).run(now);
    assertEquals(JobStatus.EXPIRED, jobs.find("old").orElseThrow().status());
    assertFalse(Files.exists(dir.resolve("output/reports/old")), "the report and its directory are gone");
    assertTrue(jobs.events("old").get(jobs.events("old").size() - 1).detail()
        .equals("deleted by retention: older than PT720H"));
    assertEquals(JobStatus.COMPLETED, jobs.find("recent").orElseThrow().status());
    assertTrue(Files.exists(dir.resolve("output/reports/recent/silo_data_report.xlsx")));

    Instant later = T0.plus(Duration.ofDays(125));
    ReportJobStore laterJobs = store(later);
    laterJobs.markFailed("failed-long-ago", "nothing took it");
    new Retention(new ReportJobLifecycle(laterJobs), out, Duration.ofDays(30), Duration.ofDays(90), Duration.ofMinutes(10)).run(later);
    assertTrue(laterJobs.find("old").isEmpty(), "pruned: EXPIRED and last changed more than 90 days ago");
    assertTrue(laterJobs.events("old").isEmpty(), "with its history");
    assertEquals(JobStatus.EXPIRED, laterJobs.find("recent").orElseThrow().status(), "expired now, pruned later");
    assertEquals(JobStatus.FAILED, laterJobs.find("failed-long-ago").orElseThrow().status(), "changed just now: kept");
  }

  @Test
  void jobRowsCannotGoBeforeTheirReports() {
    assertThrows(IllegalArgumentException.class, () -> new Retention(new ReportJobLifecycle(store(T0)), new LocalReportOutput(dir),
        Duration.ofDays(30), Duration.ofDays(7), Duration.ofMinutes(10)));
  }
}
