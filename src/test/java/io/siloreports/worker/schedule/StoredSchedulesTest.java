package io.siloreports.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Keys;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.JdbcScheduleStore;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.testing.MovableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored schedules (report_schedules on SQLite) fired by two workers' schedulers on a moving clock: a paused schedule
 * fires nothing, resumed it fires at its next local time, once; a change is seen at the next round; the settings seed
 * the store by name and replace API edits only when worker.schedules.settings-win.
 */
class StoredSchedulesTest {
  @TempDir Path dir;

  private Jdbc db() {
    Jdbc db = new Jdbc("jdbc:sqlite:" + dir.resolve("jobs.db"), null, null);
    SchemaPolicy.prepare(db, SchemaMigrations.Scope.JOB_STORE, true);
    return db;
  }

  @Test
  void aStoredScheduleFiresOncePerLocalDayWithTwoWorkersAndNotWhilePaused() {
    MovableClock clock = new MovableClock(Instant.parse("2026-10-24T12:00:00Z"));
    Jdbc db = db();
    JdbcScheduleStore store = new JdbcScheduleStore(db, clock);
    ReportJobStore jobs = new JdbcReportJobStore(db, clock, "worker-a");
    assertTrue(store.create("berlin", Map.of("at", "23:00", "zone", "Europe/Berlin", "days", "1"), null, "api",
        "alice"));
    Scheduler a = new Scheduler(new ReportJobLifecycle(jobs),
        new StoredSchedules(store, Keys.WORKER_POLL_INTERVAL::parse), "stored");
    Scheduler b = new Scheduler(new ReportJobLifecycle(jobs.as("worker-b")),
        new StoredSchedules(new JdbcScheduleStore(db, clock), Keys.WORKER_POLL_INTERVAL::parse), "stored");
    store.setPaused("berlin", true, "alice");
    for (int i = 0; i < 12 * 24; i++) { // 24 hours of 5-minute rounds, paused: 23:00 on the 24th passes
      a.run(clock.instant());
      b.run(clock.instant());
      clock.advance(Duration.ofMinutes(5));
    }
    assertEquals(0, jobs.list(100).size(), "nothing while paused");
    store.setPaused("berlin", false, "alice");
    for (int i = 0; i < 12 * 48; i++) { // resumed at 12:00Z on the 25th; to 12:00Z on the 27th
      a.run(clock.instant());
      b.run(clock.instant());
      clock.advance(Duration.ofMinutes(5));
    }
    List<Instant> runs = jobs.list(100).stream().map(ReportJob::scheduledFor).sorted().toList();
    // On resuming, the latest local 23:00 (the 24th, 21:00Z in CEST) runs once, then 23:00 CET on the 25th and 26th.
    assertEquals(List.of(Instant.parse("2026-10-24T21:00:00Z"), Instant.parse("2026-10-25T22:00:00Z"),
        Instant.parse("2026-10-26T22:00:00Z")), runs);
  }

  @Test
  void aStoredSchedulesRecipientsAndAttachAreInTheRequestOfEachRun() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-01T05:00:00Z"));
    Jdbc db = db();
    JdbcScheduleStore store = new JdbcScheduleStore(db, clock);
    ReportJobStore jobs = new JdbcReportJobStore(db, clock, "worker-a");
    assertTrue(store.create("mailed", Map.of("at", "06:00", "zone", "UTC", "format", "pdf", "attach", "true",
        "notify", "slack:https://hooks.slack.com/services/T/B/x"), "ana@example.com,ops@example.com", "api", "alice"));
    Scheduler s = new Scheduler(new ReportJobLifecycle(jobs), new StoredSchedules(store, Keys.WORKER_POLL_INTERVAL::parse),
        "stored");
    clock.advance(Duration.ofHours(2));
    s.run(clock.instant());
    List<ReportJob> runs = jobs.list(10);
    assertEquals(1, runs.size());
    io.siloreports.reportjob.ReportRequest r = io.siloreports.reportjob.ReportRequest.fromJson(runs.get(0).params());
    assertEquals(List.of("slack:https://hooks.slack.com/services/T/B/x", "mailto:ana@example.com",
        "mailto:ops@example.com"), r.notifyTargets());
    assertTrue(r.attachReport());
    assertEquals(io.siloreports.reportjob.ReportRequest.Format.PDF, r.format());
  }

  @Test
  void aScheduleMadeAfterTodaysTimeFirstRunsTomorrowNotForTheTickBeforeItExisted() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-07T10:05:00Z"));
    Jdbc db = db();
    JdbcScheduleStore store = new JdbcScheduleStore(db, clock);
    ReportJobStore jobs = new JdbcReportJobStore(db, clock, "worker-a");
    assertTrue(store.create("late", Map.of("at", "10:00", "zone", "UTC"), null, "api", "alice"));
    Scheduler s = new Scheduler(new ReportJobLifecycle(jobs), new StoredSchedules(store, Keys.WORKER_POLL_INTERVAL::parse),
        "stored");
    for (int i = 0; i < 12 * 26; i++) { // 26 hours of 5-minute rounds
      s.run(clock.instant());
      clock.advance(Duration.ofMinutes(5));
    }
    assertEquals(List.of(Instant.parse("2026-12-08T10:00:00Z")),
        jobs.list(10).stream().map(ReportJob::scheduledFor).toList(), "not 2026-12-07T10:00Z, before it was made");
  }

  @Test
  void theSettingsSeedTheStoreByNameAndReplaceApiEditsOnlyWhenTheyWin() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
    JdbcScheduleStore store = new JdbcScheduleStore(db(), clock);
    StoredSchedules stored = new StoredSchedules(store, Keys.WORKER_POLL_INTERVAL::parse);
    List<ReportSchedule> settings = ReportSchedule.parse(Map.of("daily.cron", "5 6 * * *", "daily.range", "1d"),
        Keys.WORKER_POLL_INTERVAL::parse);
    assertEquals(1, stored.seed(settings, false));
    assertEquals(0, stored.seed(settings, true), "the same settings again change nothing");
    assertEquals("config", store.find("daily").orElseThrow().source());
    assertEquals(Map.of("cron", "5 6 * * *", "range", "1d", "zone", "UTC", "format", "xlsx"),
        store.find("daily").orElseThrow().fields());
    store.update("daily", Map.of("at", "07:00", "zone", "Europe/Berlin"), null, "api", "alice");
    assertEquals(0, stored.seed(settings, false), "the API's edit is kept");
    assertEquals("07:00", store.find("daily").orElseThrow().fields().get("at"));
    assertEquals(1, stored.seed(settings, true), "the settings win");
    assertEquals("5 6 * * *", store.find("daily").orElseThrow().fields().get("cron"));
    assertEquals("settings", store.find("daily").orElseThrow().updatedBy());
    assertEquals(1, stored.get().size());
  }
}
