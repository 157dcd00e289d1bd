package io.siloreports.worker.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.testing.MovableClock;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Schedules on MariaDB: two workers' schedulers racing on every tick (threads, their own stores) create each run
 * once; the store's unique key on (schedule, tick) is what refuses the second.
 */
class ScheduledRunsMySqlIT {
  @Test
  void twoWorkersRacingOnEveryTickCreateEachRunOnce() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    String database = "sched_" + UUID.randomUUID().toString().substring(0, 8);
    mysql.execute("CREATE DATABASE " + database, "GRANT ALL ON " + database + ".* TO '" + mysql.appUser() + "'@'%'");
    Jdbc db = new Jdbc(mysql.jdbcUrl(database), mysql.appUser(), mysql.appPassword());
    SchemaPolicy.prepare(db, SchemaMigrations.Scope.JOB_STORE, true);
    MovableClock clock = new MovableClock(Instant.parse("2026-11-30T10:00:30Z"));
    List<ReportSchedule> schedules = ReportSchedule.parse(Map.of("minutely.cron", "* * * * *"),
        io.siloreports.config.Keys.WORKER_POLL_INTERVAL::parse);
    ReportJobStore a = new JdbcReportJobStore(db, clock, "worker-a");
    ReportJobStore b = new JdbcReportJobStore(db, clock, "worker-b");
    Scheduler sa = new Scheduler(new ReportJobLifecycle(a), schedules);
    Scheduler sb = new Scheduler(new ReportJobLifecycle(b), schedules);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int tick = 0; tick < 10; tick++) {
        Instant now = clock.instant();
        Future<?> fa = pool.submit(() -> sa.run(now));
        Future<?> fb = pool.submit(() -> sb.run(now));
        fa.get();
        fb.get();
        clock.advance(Duration.ofMinutes(1));
      }
    } finally {
      pool.shutdown();
    }
    List<ReportJob> jobs = a.list(100);
    assertEquals(10, jobs.size(), "one run per tick");
    assertEquals(10, jobs.stream().map(ReportJob::scheduledFor).distinct().count());
    assertEquals(10, jobs.stream().filter(j -> a.events(j.jobId()).size() == 1).count(), "each created once");
  }
}
