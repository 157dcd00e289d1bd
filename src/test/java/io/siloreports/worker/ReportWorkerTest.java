package io.siloreports.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.jobstore.JdbcReportJobStore;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.LogContext;
import io.siloreports.testing.LogCapture;
import io.siloreports.worker.submit.Submitter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * The worker's logic over a real SQLite job store, with a submitter of the test's own that "runs" a job by moving
 * it the way a report run would: oldest first, at most N at a time, never one job twice (also with two workers at
 * once), runs that end without finishing their job, a restart, timeouts.
 */
class ReportWorkerTest {
  private static final Duration LONG = Duration.ofHours(1);
  @TempDir Path dir;
  private ReportJobStore jobs;

  /** Runs jobs in the test's hands: each submission waits until the test completes its exit code. */
  private static class HeldSubmitter implements Submitter {
    final List<String> submitted = Collections.synchronizedList(new ArrayList<>());
    final Map<String, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
    final Map<String, Boolean> alive = new ConcurrentHashMap<>();
    final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Run submit(ReportJob job) {
      submitted.add(job.jobId());
      CompletableFuture<Integer> exit = new CompletableFuture<>();
      exits.put(job.jobId(), exit);
      return new Run("held " + job.jobId(), exit);
    }

    @Override
    public Optional<Boolean> isAlive(String ref) {
      return Optional.ofNullable(alive.get(ref));
    }

    @Override
    public boolean cancel(String ref) {
      cancelled.add(ref);
      return true;
    }

    @Override
    public String describe() {
      return "held by the test";
    }
  }

  @BeforeEach
  void store() {
    Jdbc db = new Jdbc("jdbc:sqlite:" + dir.resolve("jobs.db"), null, null);
    SchemaPolicy.prepare(db, SchemaMigrations.Scope.JOB_STORE, true);
    jobs = new JdbcReportJobStore(db, Clock.systemUTC(), "test");
  }

  private ReportWorker worker(Submitter submitter, int max) {
    return ReportWorker.builder().jobs(jobs.as("worker")).submitter(submitter, max)
        .polling(Duration.ofMillis(50), null).timeouts(LONG, LONG, LONG).build();
  }

  /** What a report run does with its job: take it, then complete it. */
  private void runsAndCompletes(String jobId) {
    assertTrue(jobs.markProcessing(jobId));
    assertTrue(jobs.markCompleted(jobId, "reports/" + jobId, "u"));
  }

  @Test
  void pendingJobsAreSubmittedOldestFirstAtMostNAtATime() throws Exception {
    for (int i = 0; i < 5; i++) {
      jobs.create("j" + i, "silo_hourly", "{}");
      Thread.sleep(3); // distinct creation times
    }
    HeldSubmitter submitter = new HeldSubmitter();
    ReportWorker w = worker(submitter, 2);
    w.round();
    assertEquals(List.of("j0", "j1"), submitter.submitted);
    assertEquals(JobStatus.SUBMITTED, jobs.find("j0").orElseThrow().status());
    assertEquals("held j0", jobs.find("j0").orElseThrow().submitRef());
    w.round();
    assertEquals(2, submitter.submitted.size(), "no capacity: nothing more submitted");
    runsAndCompletes("j0");
    submitter.exits.get("j0").complete(0);
    w.round();
    assertEquals(List.of("j0", "j1", "j2"), submitter.submitted);
    assertEquals(2, w.running());
  }

  @Test
  void whatTheWorkerLogsAboutAJobCarriesItsRequestIdAndIdleRoundsLogNothing() throws Exception {
    jobs.create("traced", "silo_hourly", "{}", "alice", "req-traced");
    Thread.sleep(3);
    jobs.create("untraced", "silo_hourly", "{}");
    HeldSubmitter submitter = new HeldSubmitter();
    ReportWorker w = worker(submitter, 2);
    try (LogCapture log = LogCapture.of("io.siloreports")) {
      w.round();
      assertEquals(List.of("INFO report traced: SUBMITTED (held traced)"),
          log.linesIn(LogContext.REQUEST_ID, "req-traced"));
      assertEquals(List.of("INFO report untraced: SUBMITTED (held untraced)"),
          log.linesIn(LogContext.JOB_ID, "untraced"));
      assertNull(MDC.get(LogContext.REQUEST_ID), "the round's thread is left as it was");
      submitter.exits.get("traced").complete(1); // the run ended without finishing its job
      runsAndCompletes("untraced");
      submitter.exits.get("untraced").complete(0);
      w.round();
      List<String> traced = log.linesIn(LogContext.REQUEST_ID, "req-traced");
      assertEquals(2, traced.size(), traced.toString());
      assertTrue(traced.get(1).startsWith("ERROR report traced: FAILED: the report run ended (exit code 1)"),
          traced.get(1));
      int before = log.lines().size();
      for (int i = 0; i < 20; i++) {
        w.round();
      }
      assertEquals(before, log.lines().size(), "idle rounds: " + log.lines().subList(before, log.lines().size()));
    }
  }

  @Test
  void aJobThatTimesOutHasItsRunStoppedAndFreesItsPlace() throws Exception {
    jobs.create("a-slow-start", "silo_hourly", "{}");
    jobs.create("b-stuck", "silo_hourly", "{}");
    jobs.create("c-next", "silo_hourly", "{}");
    HeldSubmitter submitter = new HeldSubmitter();
    ReportWorker w = ReportWorker.builder().jobs(jobs.as("worker")).submitter(submitter, 2)
        .polling(Duration.ofMillis(50), null).timeouts(LONG, Duration.ofMillis(300), Duration.ofMillis(300)).build();
    w.round();
    assertEquals(List.of("a-slow-start", "b-stuck"), submitter.submitted);
    assertTrue(jobs.markProcessing("b-stuck"));
    Thread.sleep(400);
    w.round();
    assertEquals(JobStatus.FAILED, jobs.find("a-slow-start").orElseThrow().status());
    assertEquals(JobStatus.FAILED, jobs.find("b-stuck").orElseThrow().status());
    assertEquals(List.of("held a-slow-start", "held b-stuck"), submitter.cancelled.stream().sorted().toList());
    assertEquals(List.of("a-slow-start", "b-stuck", "c-next"), submitter.submitted, "the timed-out runs freed their places");
  }

  @Test
  void aRunThatEndsWithoutFinishingItsJobEndsItFailedNamingTheRun() {
    jobs.create("crashes-early", "silo_hourly", "{}");
    jobs.create("crashes-late", "silo_hourly", "{}");
    HeldSubmitter submitter = new HeldSubmitter();
    ReportWorker w = worker(submitter, 2);
    w.round();
    assertTrue(jobs.markProcessing("crashes-late"));
    submitter.exits.get("crashes-early").complete(2);
    submitter.exits.get("crashes-late").complete(137);
    w.round();
    ReportJob early = jobs.find("crashes-early").orElseThrow();
    assertEquals(JobStatus.FAILED, early.status());
    assertEquals("the report run ended (exit code 2) without finishing the job, which was SUBMITTED; see held"
        + " crashes-early", early.errorMessage());
    assertTrue(jobs.find("crashes-late").orElseThrow().errorMessage().contains("exit code 137"));
  }

  @Test
  void aSubmitterThatCannotStartARunEndsTheJobFailed() {
    jobs.create("no-spark", "silo_hourly", "{}");
    Submitter broken = new HeldSubmitter() {
      @Override
      public Run submit(ReportJob job) {
        throw new IllegalStateException("no spark-submit in /nowhere/bin");
      }
    };
    worker(broken, 1).round();
    ReportJob job = jobs.find("no-spark").orElseThrow();
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().startsWith("could not submit the report to held by the test: no spark-submit in"
        + " /nowhere/bin"), job.errorMessage());
  }

  @Test
  void twoWorkersAtOnceNeverSubmitTheSameJob() throws Exception {
    int n = 40;
    for (int i = 0; i < n; i++) {
      jobs.create("job-" + i, "silo_hourly", "{}");
    }
    HeldSubmitter a = new HeldSubmitter();
    HeldSubmitter b = new HeldSubmitter();
    ReportWorker wa = worker(a, n);
    ReportWorker wb = ReportWorker.builder().jobs(new JdbcReportJobStore(
        new Jdbc("jdbc:sqlite:" + dir.resolve("jobs.db"), null, null), Clock.systemUTC(), "worker-b"))
        .submitter(b, n).polling(Duration.ofMillis(50), null).timeouts(LONG, LONG, LONG).build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    var fa = pool.submit(() -> {
      go.await();
      wa.round();
      return null;
    });
    var fb = pool.submit(() -> {
      go.await();
      wb.round();
      return null;
    });
    go.countDown();
    fa.get();
    fb.get();
    pool.shutdown();
    List<String> all = new ArrayList<>(a.submitted);
    all.addAll(b.submitted);
    assertEquals(n, all.size(), "every job submitted");
    assertEquals(n, all.stream().distinct().count(), "none twice: " + a.submitted + " / " + b.submitted);
    for (int i = 0; i < n; i++) {
      List<JobEvent> events = jobs.events("job-" + i);
      assertEquals(1, events.stream().filter(e -> e.to() == JobStatus.SUBMITTED).count());
    }
  }

  @Test
  void aRestartedWorkerQueuesAgainWhatAGoneRunNeverTookAndFailsWhatItLeftHalfDone() {
    jobs.create("never-started", "silo_hourly", "{}");
    jobs.create("half-done", "silo_hourly", "{}");
    jobs.create("still-running", "silo_hourly", "{}");
    jobs.markSubmitted("never-started", "held gone-1");
    jobs.markSubmitted("half-done", "held gone-2");
    jobs.markProcessing("half-done");
    jobs.markSubmitted("still-running", "held alive-3");
    HeldSubmitter submitter = new HeldSubmitter();
    submitter.alive.put("held gone-1", false);
    submitter.alive.put("held gone-2", false);
    submitter.alive.put("held alive-3", true);
    ReportWorker w = worker(submitter, 4).start();
    try {
      assertEquals(JobStatus.FAILED, jobs.find("half-done").orElseThrow().status());
      assertTrue(jobs.find("half-done").orElseThrow().errorMessage().contains("held gone-2"));
      assertEquals(JobStatus.SUBMITTED, jobs.find("still-running").orElseThrow().status(), "left to finish");
      long deadline = System.currentTimeMillis() + 5_000;
      while (!submitter.submitted.contains("never-started") && System.currentTimeMillis() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(List.of("never-started"), submitter.submitted, "submitted again, once");
      assertEquals(List.of(JobStatus.PENDING, JobStatus.SUBMITTED, JobStatus.PENDING, JobStatus.SUBMITTED),
          jobs.events("never-started").stream().map(JobEvent::to).toList());
    } finally {
      w.close();
    }
  }

  @Test
  void withoutASubmitterJobsOnlyTimeOut() throws Exception {
    jobs.create("waits", "silo_hourly", "{}");
    Thread.sleep(20);
    ReportWorker.builder().jobs(jobs).submitter(null, 1).polling(Duration.ofMillis(50), null)
        .timeouts(Duration.ofMillis(10), LONG, LONG).build().round();
    ReportJob job = jobs.find("waits").orElseThrow();
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().startsWith("timed out: nothing took the job"), job.errorMessage());
  }
}
