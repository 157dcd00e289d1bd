package io.siloreports.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Keys;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.JobStores;
import io.siloreports.testing.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules in a time zone, on a real job store (SQLite), two workers' schedulers and a clock the test moves in
 * 5-minute rounds across Europe/Berlin's clock changes (end of summer time 2026-10-25 03:00 CEST to 02:00 CET, start
 * 2027-03-28 02:00 CET to 03:00 CEST). The expected instants and ranges are written out by hand in UTC (CEST is
 * UTC+2, CET UTC+1), not computed with java.time as the code under test is.
 */
class ZonedSchedulesTest {
  @TempDir Path dir;

  private static List<ReportSchedule> berlin(String at, String days) {
    return ReportSchedule.parse(Map.of("nightly.at", at, "nightly.zone", "Europe/Berlin", "nightly.days", days),
        Keys.WORKER_POLL_INTERVAL::parse);
  }

  /** Runs two schedulers (own stores, as two workers) every 5 minutes from {@code from} to {@code to}; the jobs. */
  private List<ReportJob> run(List<ReportSchedule> schedules, String from, String to) throws Exception {
    MovableClock clock = new MovableClock(Instant.parse(from));
    ReportJobStore a = JobStores.sqlite(Files.createDirectories(dir.resolve(from.replace(':', '-'))), clock,
        "worker-a");
    Scheduler sa = new Scheduler(new ReportJobLifecycle(a), schedules);
    Scheduler sb = new Scheduler(new ReportJobLifecycle(a.as("worker-b")), schedules);
    for (Instant end = Instant.parse(to); clock.instant().isBefore(end); clock.advance(Duration.ofMinutes(5))) {
      sa.run(clock.instant());
      sb.run(clock.instant());
    }
    List<ReportJob> jobs = a.list(1000).stream().sorted(Comparator.comparing(ReportJob::scheduledFor)).toList();
    // The first round creates the run of the latest tick before the start (the day before): not what is tested.
    assertEquals(Instant.parse(from), jobs.get(0).createdAt(), "the catch-up run of the first round");
    return jobs.subList(1, jobs.size());
  }

  private static String ids(List<ReportJob> jobs) {
    return jobs.stream().map(ReportJob::jobId).toList().toString();
  }

  private static void assertRun(ReportJob job, String firedAt, String from, String to) {
    assertEquals(Instant.parse(firedAt), job.scheduledFor(), job.jobId());
    ReportRequest r = ReportRequest.fromJson(job.params());
    assertEquals(Instant.parse(from), r.from(), job.jobId() + " from");
    assertEquals(Instant.parse(to), r.to(), job.jobId() + " to");
    assertEquals(Instant.parse(firedAt), r.asOf(), job.jobId() + " cut-off");
    assertEquals(Scheduler.jobId("nightly", Instant.parse(firedAt)), job.jobId());
  }

  @Test
  void at2300BerlinFiresAtLocal2300OnEachDayAcrossTheEndOfSummerTimeWithThePreviousLocalDay() throws Exception {
    List<ReportJob> jobs = run(berlin("23:00", "1"), "2026-10-23T12:00:00Z", "2026-10-27T12:00:00Z");
    assertEquals(4, jobs.size(), "one job per local day, 23 to 26 October, with two workers: " + ids(jobs));
    assertRun(jobs.get(0), "2026-10-23T21:00:00Z", "2026-10-21T22:00:00Z", "2026-10-22T22:00:00Z"); // CEST
    assertRun(jobs.get(1), "2026-10-24T21:00:00Z", "2026-10-22T22:00:00Z", "2026-10-23T22:00:00Z");
    // 25 October: the clocks went back at 03:00; 23:00 is CET, UTC+1; its previous day (24th) is still 24 hours.
    assertRun(jobs.get(2), "2026-10-25T22:00:00Z", "2026-10-23T22:00:00Z", "2026-10-24T22:00:00Z");
    // 26 October: the previous local day, the 25th, had 25 hours.
    assertRun(jobs.get(3), "2026-10-26T22:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
  }

  @Test
  void at2300BerlinFiresAtLocal2300OnEachDayAcrossTheStartOfSummerTime() throws Exception {
    List<ReportJob> jobs = run(berlin("23:00", "1"), "2027-03-26T12:00:00Z", "2027-03-30T12:00:00Z");
    assertEquals(4, jobs.size(), "one job per local day, 26 to 29 March: " + ids(jobs));
    assertRun(jobs.get(0), "2027-03-26T22:00:00Z", "2027-03-24T23:00:00Z", "2027-03-25T23:00:00Z"); // CET
    assertRun(jobs.get(1), "2027-03-27T22:00:00Z", "2027-03-25T23:00:00Z", "2027-03-26T23:00:00Z");
    // 28 March: the clocks went forward at 02:00; 23:00 is CEST, UTC+2.
    assertRun(jobs.get(2), "2027-03-28T21:00:00Z", "2027-03-26T23:00:00Z", "2027-03-27T23:00:00Z");
    // 29 March: the previous local day, the 28th, had 23 hours.
    assertRun(jobs.get(3), "2027-03-29T21:00:00Z", "2027-03-27T23:00:00Z", "2027-03-28T22:00:00Z");
  }

  @Test
  void aLocalTimeTheClocksSkipFiresAtTheNextValidInstantAndOneTheyRepeatFiresOnceAtTheFirst() throws Exception {
    List<ReportJob> spring = run(berlin("02:30", "7"), "2027-03-27T00:00:00Z", "2027-03-29T06:00:00Z");
    assertEquals(3, spring.size(), ids(spring));
    assertRun(spring.get(0), "2027-03-27T01:30:00Z", "2027-03-19T23:00:00Z", "2027-03-26T23:00:00Z"); // 02:30 CET
    // 28 March has no 02:30: 02:00 CET became 03:00 CEST, at 01:00 UTC.
    assertRun(spring.get(1), "2027-03-28T01:00:00Z", "2027-03-20T23:00:00Z", "2027-03-27T23:00:00Z");
    assertRun(spring.get(2), "2027-03-29T00:30:00Z", "2027-03-21T23:00:00Z", "2027-03-28T22:00:00Z"); // CEST
    List<ReportJob> fall = run(berlin("02:30", "1"), "2026-10-24T00:00:00Z", "2026-10-26T06:00:00Z");
    assertEquals(3, fall.size(), ids(fall));
    assertRun(fall.get(0), "2026-10-24T00:30:00Z", "2026-10-22T22:00:00Z", "2026-10-23T22:00:00Z"); // CEST
    // 25 October has 02:30 twice, 00:30 UTC (CEST) and 01:30 UTC (CET): the first only.
    assertRun(fall.get(1), "2026-10-25T00:30:00Z", "2026-10-23T22:00:00Z", "2026-10-24T22:00:00Z");
    assertRun(fall.get(2), "2026-10-26T01:30:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"); // CET
  }

  @Test
  void anUnknownZoneABadTimeOrBothCronAndAtAreRefusedWithTheReason() {
    String zone = assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("n.at", "23:00",
        "n.zone", "Europe/Berln"), Keys.WORKER_POLL_INTERVAL::parse)).getMessage();
    assertTrue(zone.contains("schedule.n: unknown time zone 'Europe/Berln'"), zone);
    String time = assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("n.at", "24:00"),
        Keys.WORKER_POLL_INTERVAL::parse)).getMessage();
    assertTrue(time.contains("at must be a time of day HH:mm (00:00 to 23:59), got '24:00'"), time);
    String both = assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("n.at", "23:00",
        "n.cron", "0 23 * * *"), Keys.WORKER_POLL_INTERVAL::parse)).getMessage();
    assertTrue(both.contains("not both"), both);
    String days = assertThrows(IllegalArgumentException.class, () -> ReportSchedule.parse(Map.of("n.at", "23:00",
        "n.days", "0"), Keys.WORKER_POLL_INTERVAL::parse)).getMessage();
    assertTrue(days.contains("days must be 1 to"), days);
  }
}
