package io.siloreports.reportjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.JobStores;
import io.siloreports.testing.MovableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every transition of a report job's life cycle, on a real job store (SQLite) and a clock the test moves. */
class ReportJobLifecycleTest {
  private static final Instant T0 = Instant.parse("2026-11-20T14:37:23.120Z");
  private static final ReportRequest DEFAULTS = new ReportRequest(null, null, List.of(), null);
  private static final Duration LONG = Duration.ofHours(1);

  @TempDir Path dir;

  private MovableClock clock;
  private ReportJobStore store;
  private ReportJobLifecycle jobs;

  @BeforeEach
  void open() {
    clock = new MovableClock(T0);
    store = JobStores.sqlite(dir, clock, "test");
    jobs = new ReportJobLifecycle(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aJobCreatedForARequestCarriesItsParamsTypeAndRequester() {
    ReportRequest request = new ReportRequest(T0, T0.plusSeconds(3600), List.of(3, 1), null);
    ReportJob job = jobs.as("api:alice").create("r-1", request, "alice");
    assertEquals(JobStatus.PENDING, job.status());
    ReportJob stored = store.find("r-1").orElseThrow();
    assertEquals("silo_hourly", stored.reportType());
    assertEquals(request, ReportRequest.fromJson(stored.params()));
    assertEquals("alice", stored.requestedBy());
    assertEquals("api:alice", store.events("r-1").get(0).actor());
    assertThrows(IllegalArgumentException.class, () -> jobs.create("../etc", request, null));
    assertThrows(IllegalStateException.class, () -> jobs.create("r-1", request, null));
  }

  @Test
  void aScheduledTickIsCreatedOnce() {
    assertTrue(jobs.createScheduled("sched-a-1", DEFAULTS, "a", T0).isPresent());
    assertTrue(jobs.createScheduled("sched-a-1", DEFAULTS, "a", T0).isEmpty());
    assertEquals(ReportJob.Trigger.SCHEDULED, store.find("sched-a-1").orElseThrow().trigger());
  }

  @Test
  void aRunTakesItsJobOnceCreatingItWhenTheCommandLineMadeItUp() {
    ReportJob taken = jobs.take("cli-1", new ReportRequest(T0, null, List.of(5), null), LONG);
    assertEquals(List.of(5), ReportRequest.fromJson(taken.params()).silos());
    assertEquals(JobStatus.PROCESSING, store.find("cli-1").orElseThrow().status());
    JobNotPendingException again = assertThrows(JobNotPendingException.class, () -> jobs.take("cli-1", DEFAULTS, LONG));
    assertTrue(again.getMessage().contains("is PROCESSING, not PENDING"), again.getMessage());
    assertThrows(IllegalArgumentException.class, () -> jobs.take("bad id", DEFAULTS, LONG));
  }

  /** A warm runner's report that needs Spark: back to SUBMITTED (only from PROCESSING), then taken by spark-submit. */
  @Test
  void aRunHandsItsJobBackOnlyFromProcessingAndTheNextRunTakesIt() {
    jobs.create("h-1", DEFAULTS, "alice");
    assertFalse(jobs.handBack("h-1", "needs Spark"), "a PENDING job was never taken");
    assertTrue(jobs.submit("h-1", "local warm runner"));
    jobs.take("h-1", DEFAULTS, LONG);
    assertTrue(jobs.handBack("h-1", "handed to spark-submit: needs Spark"));
    ReportJob back = store.find("h-1").orElseThrow();
    assertEquals(JobStatus.SUBMITTED, back.status());
    assertEquals(null, back.startedAt(), "its start is the next run's");
    assertEquals("handed to spark-submit: needs Spark", store.events("h-1").get(3).detail());
    assertFalse(jobs.handBack("h-1", "again"), "only from PROCESSING");
    jobs.take("h-1", DEFAULTS, LONG);
    assertEquals(JobStatus.PROCESSING, store.find("h-1").orElseThrow().status());
    assertTrue(jobs.fail("h-1", "the test"));
    assertFalse(jobs.handBack("h-1", "too late"), "never out of a final state");
  }

  /**
   * A job handed back after it was PROCESSING in a warm runner for a while is submitted anew: the submitted timeout
   * runs from the hand-back (not the first submission), and the processing timeout from the next run's start.
   */
  @Test
  void aHandedBackJobGetsTheWholeTimeoutsOfItsNextRun() {
    Duration submitted = Duration.ofMinutes(10);
    Duration processing = Duration.ofMinutes(30);
    jobs.create("h-2", DEFAULTS, "alice");
    assertTrue(jobs.submit("h-2", "local warm runner"));
    clock.advance(Duration.ofMinutes(1));
    jobs.take("h-2", DEFAULTS, LONG);
    clock.advance(Duration.ofMinutes(25)); // a long time in the warm runner before it found it needs Spark
    assertTrue(jobs.handBack("h-2", "handed to spark-submit: needs Spark"));
    assertEquals(clock.instant(), store.find("h-2").orElseThrow().submittedAt(), "submitted anew at the hand-back");
    clock.advance(Duration.ofMinutes(9));
    assertEquals(0, jobs.reapUntaken(Duration.ofMinutes(60), submitted), "spark-submit still has a minute to take it");
    assertEquals(0, jobs.reapStuck(processing), "its time in the warm runner does not count as PROCESSING");
    jobs.take("h-2", DEFAULTS, LONG);
    clock.advance(Duration.ofMinutes(29));
    assertEquals(0, jobs.reapStuck(processing), "the 25 minutes in the warm runner are not added");
    clock.advance(Duration.ofMinutes(2));
    assertEquals(1, jobs.reapStuck(processing));
    assertEquals(JobStatus.FAILED, store.find("h-2").orElseThrow().status());
  }

  @Test
  void takingAJobReapsRunsStuckLongerThanTheTimeoutFirst() {
    jobs.take("dead", DEFAULTS, LONG);
    clock.advance(Duration.ofMinutes(61));
    jobs.take("next", DEFAULTS, LONG);
    assertEquals(JobStatus.FAILED, store.find("dead").orElseThrow().status());
    assertEquals(JobStatus.PROCESSING, store.find("next").orElseThrow().status());
  }

  @Test
  void completingNeedsTheJobStillProcessing() {
    jobs.take("c-1", DEFAULTS, LONG);
    jobs.complete("c-1", new ReportOutput.Stored("reports/c-1/x.xlsx", "file:///x"), "{\"silos\":1}");
    ReportJob done = store.find("c-1").orElseThrow();
    assertEquals(JobStatus.COMPLETED, done.status());
    assertEquals("reports/c-1/x.xlsx", done.s3Key());
    assertEquals(Optional.of("{\"silos\":1}"), store.summary("c-1"));

    jobs.take("c-2", DEFAULTS, LONG);
    jobs.fail("c-2", "reaped meanwhile");
    IllegalStateException left = assertThrows(IllegalStateException.class,
        () -> jobs.complete("c-2", new ReportOutput.Stored("k", "u"), null));
    assertTrue(left.getMessage().contains("left PROCESSING"), left.getMessage());
    assertEquals(JobStatus.FAILED, store.find("c-2").orElseThrow().status());
  }

  @Test
  void aFailureIsRecordedOnceTheJobStoreIsBackAndGivenUpPastTheRetry() {
    AtomicInteger outages = new AtomicInteger(2);
    ReportJobLifecycle flaky = new ReportJobLifecycle(unreachableFor(outages));
    jobs.take("f-1", DEFAULTS, LONG);
    flaky.failRetrying("f-1", "disk full", Duration.ofSeconds(30), LONG); // 1 s, then 2 s of backoff
    ReportJob failed = store.find("f-1").orElseThrow();
    assertEquals(JobStatus.FAILED, failed.status());
    assertEquals("disk full", failed.errorMessage());
    assertEquals(-1, outages.get(), "two refused attempts, then the one that recorded it");

    outages.set(1_000);
    jobs.take("f-2", DEFAULTS, LONG);
    long t0 = System.nanoTime();
    flaky.failRetrying("f-2", "disk full", Duration.ofMillis(1500), LONG);
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "it gives up, it never hangs");
    assertEquals(JobStatus.PROCESSING, store.find("f-2").orElseThrow().status(), "left to the reaper");
  }

  @Test
  void aFailureThatIsNotAnOutageIsNotRetried() {
    ReportJobStore broken = (ReportJobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ReportJobStore.class}, (proxy, method, args) -> {
          throw new IllegalStateException("syntax error in SQL");
        });
    assertThrows(IllegalStateException.class,
        () -> new ReportJobLifecycle(broken).failRetrying("x", "boom", Duration.ofMinutes(1), LONG));
  }

  @Test
  void aRunThatCannotStartEndsItsJobFailedCreatingItWhenMissing() {
    assertEquals("cannot start: no Spark", jobs.failBeforeStart("s-1", DEFAULTS, "cannot start: no Spark"));
    assertEquals(JobStatus.FAILED, store.find("s-1").orElseThrow().status());
    assertEquals(DEFAULTS, ReportRequest.fromJson(store.find("s-1").orElseThrow().params()));
    jobs.create("s-2", DEFAULTS, null);
    jobs.failBeforeStart("s-2", null, "invalid settings: --from");
    assertEquals("invalid settings: --from", store.find("s-2").orElseThrow().errorMessage());
    jobs.failBeforeStart("s-3", null, "invalid settings");
    assertNull(store.find("s-3").orElseThrow().params());
  }

  @Test
  void theWorkersTransitionsAreRecordedWithTheRun() {
    jobs.create("w-1", DEFAULTS, null);
    ReportJobLifecycle worker = jobs.as("worker pid 1@h");
    assertTrue(worker.submit("w-1", "starting on local"));
    assertFalse(worker.submit("w-1", "starting on local"), "another worker took it");
    worker.runBy("w-1", "local pid 2@h");
    assertEquals("local pid 2@h", store.find("w-1").orElseThrow().submitRef());
    assertTrue(worker.requeue("w-1", "throttled"));
    assertEquals(JobStatus.PENDING, store.find("w-1").orElseThrow().status());
    assertEquals(List.of("PENDING", "SUBMITTED", "PENDING"),
        store.events("w-1").stream().map(e -> e.to().name()).toList());
  }

  @Test
  void aRunThatEndedWithoutFinishingItsJobFailsItNamingTheRunAndAFinalJobIsLeftAlone() {
    jobs.take("e-1", DEFAULTS, LONG);
    assertTrue(jobs.settle("e-1", "local pid 9@h", "exit code 137"));
    assertEquals("the report run ended (exit code 137) without finishing the job, which was PROCESSING; see local"
        + " pid 9@h", store.find("e-1").orElseThrow().errorMessage());
    assertFalse(jobs.settle("e-1", "local pid 9@h", "exit code 1"), "already final");
    jobs.take("e-2", DEFAULTS, LONG);
    jobs.complete("e-2", new ReportOutput.Stored("k", "u"), null);
    assertFalse(jobs.settle("e-2", "local pid 9@h", "exit code 0"));
    assertEquals(JobStatus.COMPLETED, store.find("e-2").orElseThrow().status());
    assertFalse(jobs.settle("missing", "x", "y"));
  }

  @Test
  void aCompletedJobIsShownWithALiveLinkOrExpiresWhenItsObjectIsGone() {
    jobs.take("l-1", DEFAULTS, LONG);
    jobs.complete("l-1", new ReportOutput.Stored("reports/l-1.xlsx", "https://old"), null);
    DownloadLinks present = key -> Optional.of("https://fresh/" + key);
    assertEquals("https://fresh/reports/l-1.xlsx", jobs.current("l-1", present).orElseThrow().s3Url());
    assertEquals("https://old", store.find("l-1").orElseThrow().s3Url(), "a shown link is not stored");
    assertEquals(JobStatus.EXPIRED, jobs.current("l-1", key -> Optional.empty()).orElseThrow().status());
    JobEvent expired = store.events("l-1").get(store.events("l-1").size() - 1);
    assertEquals("the report object is gone", expired.detail());
    jobs.create("l-2", DEFAULTS, null);
    assertEquals(JobStatus.PENDING, jobs.current("l-2", key -> Optional.empty()).orElseThrow().status());
    assertTrue(jobs.current("missing", present).isEmpty());
    assertFalse(jobs.expire("l-2", "not completed"));
  }

  @Test
  void untakenJobsAreReapedToFailedWithTheReason() {
    jobs.create("never-taken", DEFAULTS, null);
    jobs.create("never-started", DEFAULTS, null);
    jobs.submit("never-started", "local pid 1@h");
    clock.set(T0.plusSeconds(59));
    assertEquals(0, jobs.reapUntaken(Duration.ofMinutes(1), Duration.ofMinutes(1)));
    clock.set(T0.plusSeconds(61));
    assertEquals(2, jobs.reapUntaken(Duration.ofMinutes(1), Duration.ofMinutes(1)));
    assertTrue(store.find("never-taken").orElseThrow().errorMessage().startsWith("timed out: nothing took the job"));
    assertTrue(store.find("never-started").orElseThrow().errorMessage().contains("local pid 1@h"));
    assertTrue(store.find("never-taken").orElseThrow().errorMessage().contains("1 job(s) were running meanwhile"),
        "with a job running, the queue was too long, not the worker missing");
  }

  @Test
  void aJobNothingTookWhileNothingRanSaysNoWorkerMayBeRunning() {
    jobs.create("alone", DEFAULTS, null);
    clock.set(T0.plusSeconds(61));
    assertEquals(1, jobs.reapUntaken(Duration.ofMinutes(1), Duration.ofMinutes(1)));
    String reason = store.find("alone").orElseThrow().errorMessage();
    assertTrue(reason.contains("is a worker running"), reason);
  }

  @Test
  void aJobThatMovedOnBetweenTheReapersReadAndItsUpdateIsLeftAlone() {
    jobs.create("raced", DEFAULTS, null);
    assertTrue(store.markProcessing("raced"));
    assertFalse(store.markFailed("raced", JobStatus.PENDING, "timed out"), "it is PROCESSING now, not PENDING");
    assertEquals(JobStatus.PROCESSING, store.find("raced").orElseThrow().status());
  }

  @Test
  void reapingFailsOnlyJobsProcessingForLongerThanTheTimeout() {
    store.create("stuck", "silo-hourly", null);
    store.create("exactly-at-timeout", "silo-hourly", null);
    store.create("recent", "silo-hourly", null);
    store.create("pending", "silo-hourly", null);
    store.create("completed", "silo-hourly", null);

    clock.set(Instant.parse("2026-11-20T14:00:00.250Z"));
    store.markProcessing("stuck");
    store.markProcessing("completed");
    store.markCompleted("completed", "k", "u");
    clock.set(Instant.parse("2026-11-20T14:10:00Z"));
    store.markProcessing("exactly-at-timeout");
    clock.set(Instant.parse("2026-11-20T14:30:00Z"));
    store.markProcessing("recent");

    clock.set(Instant.parse("2026-11-20T14:40:00Z"));
    assertEquals(1, jobs.reapStuck(Duration.ofMinutes(30)));

    ReportJob stuck = store.find("stuck").orElseThrow();
    assertEquals(JobStatus.FAILED, stuck.status());
    assertEquals(
        "timed out: PROCESSING for more than PT30M (started 2026-11-20T14:00:00.250Z)", stuck.errorMessage());
    assertEquals(Instant.parse("2026-11-20T14:40:00Z"), stuck.finishedAt());
    assertEquals(JobStatus.PROCESSING, store.find("exactly-at-timeout").orElseThrow().status());
    assertEquals(JobStatus.PROCESSING, store.find("recent").orElseThrow().status());
    assertEquals(JobStatus.PENDING, store.find("pending").orElseThrow().status());
    assertEquals(JobStatus.COMPLETED, store.find("completed").orElseThrow().status());

    assertEquals(0, jobs.reapStuck(Duration.ofMinutes(30)), "reaping again finds nothing new");
    clock.set(Instant.parse("2026-11-20T14:40:00.001Z"));
    assertEquals(1, jobs.reapStuck(Duration.ofMinutes(30)));
    assertEquals(JobStatus.FAILED, store.find("exactly-at-timeout").orElseThrow().status());
    assertThrows(IllegalArgumentException.class, () -> jobs.reapStuck(Duration.ZERO));
  }

  /** The test's store, whose {@code markFailed} finds the database unreachable while {@code outages} is positive. */
  private ReportJobStore unreachableFor(AtomicInteger outages) {
    return (ReportJobStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ReportJobStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("markFailed") && outages.getAndDecrement() > 0) {
            throw new IllegalStateException("could not move to FAILED",
                new SQLTransientConnectionException("Connection refused", "08S01"));
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
