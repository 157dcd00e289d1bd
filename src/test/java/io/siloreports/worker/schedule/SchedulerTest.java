package io.siloreports.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.JobStores;
import io.siloreports.testing.MovableClock;
import io.siloreports.worker.ReportWorker;
import io.siloreports.worker.submit.Submitter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules through the worker, on a real job store (SQLite) and a clock the test moves: one job per tick across a
 * worker restart, one run for the ticks missed while no worker ran, never two runs of a tick with two workers, and ad
 * hoc jobs taken before scheduled ones.
 */
class SchedulerTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final Duration LONG = Duration.ofDays(1);
  @TempDir Path dir;

  /** Records the order jobs are submitted in; runs nothing. */
  static final class RecordingSubmitter implements Submitter {
    final List<String> submitted = new ArrayList<>();

    @Override
    public Run submit(ReportJob job) {
      submitted.add(job.jobId());
      return new Run("test " + job.jobId(), new CompletableFuture<>());
    }

    @Override
    public Optional<Boolean> isAlive(String ref) {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "the test's";
    }
  }

  private ReportJobStore store(Clock clock) {
    return JobStores.sqlite(dir, clock, "test");
  }

  private static ReportWorker worker(ReportJobStore jobs, Clock clock, List<ReportSchedule> schedules,
      Submitter submitter) {
    return ReportWorker.builder().jobs(jobs).submitter(submitter, 100).polling(Duration.ofSeconds(1), null)
        .timeouts(LONG, LONG, LONG).clock(clock).duty(new Scheduler(new ReportJobLifecycle(jobs), schedules)).build();
  }

  private static List<ReportSchedule> everyMinute() {
    return ReportSchedule.parse(Map.of("minutely.cron", "* * * * *", "minutely.range", "2h", "minutely.silos", "1-3",
        "minutely.format", "csv"), io.siloreports.config.Keys.WORKER_POLL_INTERVAL::parse);
  }

  @Test
  void aOneMinuteScheduleCreatesOneJobPerMinuteAcrossAWorkerRestart() {
    MovableClock clock = new MovableClock(T0.plusSeconds(5));
    ReportJobStore jobs = store(clock);
    ReportWorker first = worker(jobs, clock, everyMinute(), null);
    for (int i = 0; i < 20; i++) { // rounds every 15 s for 5 minutes
      first.round();
      clock.advance(Duration.ofSeconds(15));
    }
    first.close();
    ReportWorker second = worker(jobs, clock, everyMinute(), null); // a restart, on time
    for (int i = 0; i < 12; i++) {
      second.round();
      clock.advance(Duration.ofSeconds(15));
    }
    List<ReportJob> all = jobs.list(1000);
    assertEquals(8, all.size(), "minutes 10:00 to 10:07, one job each");
    for (int m = 0; m < 8; m++) {
      ReportJob j = jobs.find(Scheduler.jobId("minutely", T0.plusSeconds(60L * m))).orElseThrow();
      assertEquals(ReportJob.Trigger.SCHEDULED, j.trigger());
      assertEquals("minutely", j.scheduleName());
      assertEquals("schedule:minutely", j.requestedBy());
      ReportRequest r = ReportRequest.fromJson(j.params());
      assertEquals(ReportRequest.Format.CSV, r.format());
      assertEquals(List.of(1, 2, 3), r.silos());
      assertEquals(T0, r.to(), "whole hours up to the tick's hour");
      assertEquals(T0.minus(Duration.ofHours(2)), r.from());
      assertEquals(T0.plusSeconds(60L * m), r.asOf());
    }
  }

  @Test
  void ticksMissedWhileNoWorkerRanGiveOneRunAndTwoWorkersNeverCreateATickTwice() {
    MovableClock clock = new MovableClock(T0.plusSeconds(1));
    ReportJobStore jobs = store(clock);
    worker(jobs, clock, everyMinute(), null).round();
    clock.advance(Duration.ofMinutes(10)); // down for 10 minutes
    ReportWorker a = worker(jobs, clock, everyMinute(), null);
    ReportWorker b = worker(jobs.as("other"), clock, everyMinute(), null);
    a.round();
    b.round();
    assertEquals(List.of(Scheduler.jobId("minutely", T0.plusSeconds(600)), Scheduler.jobId("minutely", T0)),
        jobs.list(1000).stream().map(ReportJob::jobId).toList(), "the missed ticks give one run, the latest");
    for (int i = 0; i < 30; i++) { // two workers, rounds interleaved, every 10 s for 5 minutes
      clock.advance(Duration.ofSeconds(10));
      (i % 2 == 0 ? a : b).round();
      (i % 2 == 0 ? b : a).round();
    }
    assertEquals(2 + 5, jobs.list(1000).size(), "one job per tick");
  }

  @Test
  void adHocJobsAreTakenBeforeScheduledOnesThenOldestFirst() {
    MovableClock clock = new MovableClock(T0.plusSeconds(1));
    ReportJobStore jobs = store(clock);
    worker(jobs, clock, everyMinute(), null).round(); // a scheduled job, first in time
    clock.advance(Duration.ofSeconds(1));
    jobs.create("adhoc-1", "silo_hourly", "{}");
    clock.advance(Duration.ofSeconds(1));
    jobs.create("adhoc-2", "silo_hourly", "{}");
    RecordingSubmitter submitter = new RecordingSubmitter();
    worker(jobs, clock, List.of(), submitter).round();
    assertEquals(List.of("adhoc-1", "adhoc-2", Scheduler.jobId("minutely", T0)), submitter.submitted);
  }

  @Test
  void aScheduleWithoutCronOrWithABadFieldIsRefusedByName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("daily.range", "1d"),
        io.siloreports.config.Keys.WORKER_POLL_INTERVAL::parse)).getMessage().contains("schedule.daily.cron is missing"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("daily.cron",
        "0 6 * * *", "daily.colour", "red"), io.siloreports.config.Keys.WORKER_POLL_INTERVAL::parse)).getMessage()
        .contains("schedule.daily.colour"));
  }
}
