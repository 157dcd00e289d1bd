package io.siloreports.jobstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.db.SchemaPolicy;
import io.siloreports.testing.MovableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job store on SQLite: every transition, and its races between threads and processes. Longer than most test classes for that reason. */
class JdbcReportJobStoreTest {

  private static final Instant T0 = Instant.parse("2026-11-20T14:37:23.120Z");

  @TempDir Path dir;

  private String url;
  private MovableClock clock;
  private JdbcReportJobStore store;

  @BeforeEach
  void openStore() {
    url = "jdbc:sqlite:" + dir.resolve("jobs.db");
    clock = new MovableClock(T0);
    SchemaPolicy.prepare(new Jdbc(url, null, null), SchemaMigrations.Scope.JOB_STORE, true);
    store = new JdbcReportJobStore(new Jdbc(url, null, null), clock);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void aJobGoesThroughItsWholeLifeCycle() {
    ReportJob created = store.create("job-1", "silo-hourly", "{\"from\":\"2026-11-01\"}", null, "req-7f3a.b_c");
    ReportJob expectedPending =
        new ReportJob("job-1", JobStatus.PENDING, "silo-hourly", "{\"from\":\"2026-11-01\"}",
            null, null, null, T0, T0, null, null, null, null, null, ReportJob.Trigger.ADHOC, null, null, null,
            "req-7f3a.b_c");
    assertEquals(expectedPending, created);
    assertEquals(expectedPending, store.find("job-1").orElseThrow());

    Instant started = T0.plusSeconds(5);
    clock.set(started);
    assertTrue(store.markProcessing("job-1"));
    assertEquals(
        new ReportJob("job-1", JobStatus.PROCESSING, "silo-hourly", "{\"from\":\"2026-11-01\"}",
            null, null, null, T0, started, started, null, null, null, null, ReportJob.Trigger.ADHOC, null, null, null,
            "req-7f3a.b_c"),
        store.find("job-1").orElseThrow());

    Instant finished = T0.plusSeconds(65);
    clock.set(finished);
    assertTrue(store.markCompleted("job-1", "reports/job-1/report.xlsx", "https://s3/url-1"));
    assertEquals(
        new ReportJob("job-1", JobStatus.COMPLETED, "silo-hourly", "{\"from\":\"2026-11-01\"}",
            "reports/job-1/report.xlsx", "https://s3/url-1", null, T0, finished, started, finished, null, null, null,
            ReportJob.Trigger.ADHOC, null, null, null, "req-7f3a.b_c"),
        store.find("job-1").orElseThrow());

    Instant represigned = T0.plusSeconds(600);
    clock.set(represigned);
    assertTrue(store.updateUrl("job-1", "https://s3/url-2"));
    ReportJob withNewUrl = store.find("job-1").orElseThrow();
    assertEquals("https://s3/url-2", withNewUrl.s3Url());
    assertEquals(represigned, withNewUrl.updatedAt());
    assertEquals(finished, withNewUrl.finishedAt());

    Instant expired = T0.plusSeconds(7200);
    clock.set(expired);
    assertTrue(store.markExpired("job-1"));
    assertEquals(
        new ReportJob("job-1", JobStatus.EXPIRED, "silo-hourly", "{\"from\":\"2026-11-01\"}",
            "reports/job-1/report.xlsx", "https://s3/url-2", null, T0, expired, started, finished, null, null, null,
            ReportJob.Trigger.ADHOC, null, null, null, "req-7f3a.b_c"),
        store.find("job-1").orElseThrow());
  }

  @Test
  void aSecondJobWithTheSameIdIsRefusedAndTheFirstStaysAsItWas() {
    store.create("twice", "silo-hourly", "{\"from\":\"2026-11-01\"}");
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> store.create("twice", "other-type", "{}"));
    assertTrue(refused.getMessage().contains("report job twice already exists"), refused.getMessage());
    assertEquals("silo-hourly", store.find("twice").orElseThrow().reportType());
    assertEquals("{\"from\":\"2026-11-01\"}", store.find("twice").orElseThrow().params());
    assertEquals(1, store.events("twice").size(), "the refused insert left no event");
  }

  @Test
  void failingAPendingOrProcessingJobRecordsTheReasonAndTheTime() {
    store.create("pending", "silo-hourly", null);
    store.create("processing", "silo-hourly", null);
    store.markProcessing("processing");

    clock.set(T0.plusSeconds(30));
    assertTrue(store.markFailed("pending", "no silos in range"));
    assertTrue(store.markFailed("processing", "S3 upload failed: Access Denied"));

    ReportJob pending = store.find("pending").orElseThrow();
    assertEquals(JobStatus.FAILED, pending.status());
    assertEquals("no silos in range", pending.errorMessage());
    assertEquals(T0.plusSeconds(30), pending.finishedAt());
    assertNull(pending.startedAt());
    ReportJob processing = store.find("processing").orElseThrow();
    assertEquals(JobStatus.FAILED, processing.status());
    assertEquals("S3 upload failed: Access Denied", processing.errorMessage());
    assertEquals(T0, processing.startedAt());
  }

  /** Which transitions each status allows, written out by hand from the documented life cycle. */
  private static final Map<JobStatus, List<String>> ALLOWED =
      Map.of(
          JobStatus.PENDING, List.of("markProcessing", "markFailed", "markSubmitted"),
          JobStatus.SUBMITTED, List.of("markProcessing", "markFailed", "requeue"),
          JobStatus.PROCESSING, List.of("markCompleted", "markFailed"),
          JobStatus.COMPLETED, List.of("markExpired", "updateUrl"),
          JobStatus.FAILED, List.of(),
          JobStatus.EXPIRED, List.of());

  @Test
  void everyTransitionNotAllowedFromTheCurrentStatusReturnsFalseAndChangesNothing() {
    Map<String, BiPredicate<ReportJobStore, String>> transitions =
        Map.of(
            "markProcessing", ReportJobStore::markProcessing,
            "markCompleted", (s, id) -> s.markCompleted(id, "reports/x.xlsx", "https://s3/x"),
            "markFailed", (s, id) -> s.markFailed(id, "boom"),
            "markExpired", ReportJobStore::markExpired,
            "updateUrl", (s, id) -> s.updateUrl(id, "https://s3/other"),
            "markSubmitted", (s, id) -> s.markSubmitted(id, "local pid 1"),
            "requeue", (s, id) -> s.requeue(id, "gone"));

    int checked = 0;
    for (JobStatus status : JobStatus.values()) {
      for (String name : transitions.keySet()) {
        if (ALLOWED.get(status).contains(name)) {
          continue;
        }
        String jobId = "job-" + status + "-" + name;
        clock.set(T0);
        store.create(jobId, "silo-hourly", "{}");
        driveTo(jobId, status);
        ReportJob before = store.find(jobId).orElseThrow();
        assertEquals(status, before.status());

        clock.set(T0.plusSeconds(3600));
        assertFalse(transitions.get(name).test(store, jobId), name + " from " + status);
        assertEquals(before, store.find(jobId).orElseThrow(), name + " from " + status + " changed the row");
        checked++;
      }
      for (String name : transitions.keySet()) {
        assertFalse(transitions.get(name).test(store, "no-such-job"), name + " of a missing job");
      }
    }
    // 6 statuses x 7 transitions, minus the 10 allowed ones.
    assertEquals(32, checked);
  }

  @Test
  void everyTransitionIsAnEventWithItsActorAndDetail() {
    store.as("api:alice").create("job-e", "silo-hourly", "{}", "alice");
    clock.set(T0.plusSeconds(1));
    ReportJobStore worker = store.as("worker pid 7@h");
    assertTrue(worker.markSubmitted("job-e", "local pid 8@h"));
    assertTrue(worker.requeue("job-e", "the process that ran it is gone"));
    assertTrue(worker.markSubmitted("job-e", "local pid 9@h"));
    assertEquals("local pid 9@h", store.find("job-e").orElseThrow().submitRef());
    assertEquals(T0.plusSeconds(1), store.find("job-e").orElseThrow().submittedAt());
    assertTrue(store.as("report pid 9@h").markProcessing("job-e"));
    assertTrue(store.as("report pid 9@h").markFailed("job-e", "boom"));
    assertEquals("alice", store.find("job-e").orElseThrow().requestedBy());
    List<String> history = store.events("job-e").stream()
        .map(e -> e.from() + ">" + e.to() + " by " + e.actor() + ": " + e.detail()).toList();
    assertEquals(List.of(
        "null>PENDING by api:alice: requested by alice",
        "PENDING>SUBMITTED by worker pid 7@h: local pid 8@h",
        "SUBMITTED>PENDING by worker pid 7@h: the process that ran it is gone",
        "PENDING>SUBMITTED by worker pid 7@h: local pid 9@h",
        "SUBMITTED>PROCESSING by report pid 9@h: null",
        "PROCESSING>FAILED by report pid 9@h: boom"), history);
    assertEquals(List.of(), store.events("no-such-job"));
  }

  @Test
  void listsArePagedAndFilteredAndPendingJobsComeOldestFirst() {
    for (int i = 0; i < 5; i++) {
      clock.set(T0.plusSeconds(i));
      store.create("j" + i, "silo-hourly", "{}");
    }
    store.markProcessing("j1");
    assertEquals(List.of("j4", "j3"), ids(store.list(null, 2, 0)));
    assertEquals(List.of("j2", "j1"), ids(store.list(null, 2, 2)));
    assertEquals(List.of("j1"), ids(store.list(JobStatus.PROCESSING, 10, 0)));
    assertEquals(4, store.count(JobStatus.PENDING));
    assertEquals(5, store.count(null));
    assertEquals(List.of("j0", "j2"), ids(store.pending(2)));
  }

  @Test
  void creatingAnExistingJobFailsAndKeepsTheOriginal() {
    store.create("job-1", "silo-hourly", "{\"a\":1}");
    store.markProcessing("job-1");
    ReportJob before = store.find("job-1").orElseThrow();

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> store.create("job-1", "other", "{\"a\":2}"));
    assertTrue(e.getMessage().contains("job-1"), e.getMessage());
    assertEquals(before, store.find("job-1").orElseThrow());
  }

  @Test
  void aVeryLongReasonIsTruncatedKeepingItsStartAndANullReasonIsNeverStored() {
    String longReason = "java.lang.OutOfMemoryError: Java heap space\n" + "\tat frame\n".repeat(5000);
    store.create("long", "silo-hourly", null);
    store.create("null", "silo-hourly", null);
    store.create("blank", "silo-hourly", null);

    assertTrue(store.markFailed("long", longReason));
    assertTrue(store.markFailed("null", null));
    assertTrue(store.markFailed("blank", "  \n"));

    String stored = store.find("long").orElseThrow().errorMessage();
    assertTrue(stored.length() <= 4000, "stored " + stored.length() + " chars");
    assertTrue(stored.length() > 3000, "kept only " + stored.length() + " chars");
    assertTrue(stored.startsWith("java.lang.OutOfMemoryError: Java heap space\n\tat frame"));
    assertTrue(stored.endsWith("[truncated, " + longReason.length() + " characters in total]"), stored);
    assertEquals("(no reason given)", store.find("null").orElseThrow().errorMessage());
    assertEquals("(no reason given)", store.find("blank").orElseThrow().errorMessage());
  }

  @Test
  void truncationNeverSplitsACharacterOutsideTheBasicPlane() {
    // The cut falls inside one of these two-char emoji whatever the marker length is, for one of the offsets.
    for (int offset = 0; offset < 2; offset++) {
      String reason = "x".repeat(offset) + "\uD83D\uDE00".repeat(3000);
      String stored = JdbcReportJobStore.storableReason(reason);
      String kept = stored.substring(0, stored.indexOf(" ... [truncated"));
      assertFalse(Character.isHighSurrogate(kept.charAt(kept.length() - 1)), "offset " + offset);
    }
  }

  @Test
  void listShowsTheMostRecentlyCreatedFirstUpToTheLimit() {
    // Created out of name order, and across a second boundary where fractionless text would sort wrongly.
    String[][] jobs = {
      {"b", "2026-11-20T14:37:22.999Z"},
      {"a", "2026-11-20T14:37:23Z"},
      {"d", "2026-11-20T14:37:23.001Z"},
      {"c", "2026-11-19T23:59:59.500Z"},
    };
    for (String[] job : jobs) {
      clock.set(Instant.parse(job[1]));
      store.create(job[0], "silo-hourly", null);
    }
    store.markProcessing("c"); // updates do not change the order

    assertEquals(List.of("d", "a", "b", "c"), ids(store.list(10)));
    assertEquals(List.of("d", "a"), ids(store.list(2)));
    assertThrows(IllegalArgumentException.class, () -> store.list(0));
  }

  @Test
  void ofManyThreadsTakingTheSameJobAtOnceExactlyOneWins() throws Exception {
    int threads = 8;
    int jobs = 20;
    // Half the threads use a second store on the same file, as a second process would.
    try (JdbcReportJobStore other = new JdbcReportJobStore(new Jdbc(url, null, null), clock)) {
      for (int j = 0; j < jobs; j++) {
        store.create("job-" + j, "silo-hourly", null);
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          ReportJobStore mine = t % 2 == 0 ? store : other;
          Callable<List<String>> worker =
              () -> {
                List<String> won = new ArrayList<>();
                for (int j = 0; j < jobs; j++) {
                  start.await(30, TimeUnit.SECONDS);
                  if (mine.markProcessing("job-" + j)) {
                    won.add("job-" + j);
                  }
                }
                return won;
              };
          results.add(pool.submit(worker));
        }
        List<String> allWins = new ArrayList<>();
        for (Future<List<String>> result : results) {
          allWins.addAll(result.get(120, TimeUnit.SECONDS));
        }
        allWins.sort(null);
        List<String> everyJobOnce = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
          everyJobOnce.add("job-" + j);
        }
        everyJobOnce.sort(null);
        assertEquals(everyJobOnce, allWins);
      } finally {
        pool.shutdownNow();
      }
      for (int j = 0; j < jobs; j++) {
        assertEquals(JobStatus.PROCESSING, store.find("job-" + j).orElseThrow().status());
      }
    }
  }

  /**
   * The page polls a job's status many times a second while the worker writes, from many threads on one WAL file.
   * With a connection opened and closed per read, SQLite 3.51.1 deadlocked there (its unix VFS took two mutexes in
   * opposite orders on open and close; the report service hung for good under 1,000 status reads a second): the
   * driver is 3.54 now and the store keeps its connections open between operations.
   */
  @Test
  void manyThreadsReadingWhileOthersWriteNeverHang() throws Exception {
    int readers = 16;
    int readsEach = 100;
    int writes = 300;
    store.create("polled", "silo-hourly", null);
    ExecutorService pool = Executors.newFixedThreadPool(readers + 1, r -> {
      Thread t = new Thread(r, "store-hammer");
      t.setDaemon(true); // a thread stuck in native code cannot be interrupted; it must not hold the JVM
      return t;
    });
    try {
      List<Future<Integer>> results = new ArrayList<>();
      results.add(pool.submit(() -> {
        for (int i = 0; i < writes; i++) {
          store.create("written-" + i, "silo-hourly", null);
          store.markProcessing("written-" + i);
        }
        return writes;
      }));
      for (int t = 0; t < readers; t++) {
        results.add(pool.submit(() -> {
          int found = 0;
          for (int i = 0; i < readsEach; i++) {
            found += store.find("polled").isPresent() ? 1 : 0;
          }
          return found;
        }));
      }
      int total = 0;
      for (Future<Integer> result : results) {
        try {
          total += result.get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("job store threads still busy after 90 s: hung opening or closing SQLite"
              + " connections", e);
        }
      }
      assertEquals(writes + readers * readsEach, total);
      assertEquals(writes + 1L, store.count(null));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void jobsRacedForByThreeProcessesAreEachTakenAndCompletedExactlyOnce() throws Exception {
    int jobs = 150;
    for (int j = 0; j < jobs; j++) {
      store.create("job-" + j, "silo-hourly", null);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    try {
      for (int p = 0; p < 2; p++) {
        children.add(
            new ProcessBuilder(
                    java, "-cp", System.getProperty("java.class.path"),
                    JobTakingProcess.class.getName(), url, String.valueOf(jobs))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start());
      }
      List<BufferedReader> outputs = new ArrayList<>();
      for (Process child : children) {
        BufferedReader out =
            new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine(), "child process did not start");
        outputs.add(out);
      }
      for (Process child : children) {
        child.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        child.getOutputStream().flush();
      }
      // This process races too, from the same list in the opposite order, so the three overlap.
      List<String> won = new ArrayList<>();
      for (int j = jobs - 1; j >= 0; j--) {
        if (store.markProcessing("job-" + j)) {
          assertTrue(store.markCompleted("job-" + j, "k", "u"));
          won.add("job-" + j);
        }
      }
      for (int p = 0; p < children.size(); p++) {
        for (String line = outputs.get(p).readLine(); !"done".equals(line); line = outputs.get(p).readLine()) {
          assertTrue(line != null && line.startsWith("won "), "unexpected child output: " + line);
          won.add(line.substring("won ".length()));
        }
        assertTrue(children.get(p).waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, children.get(p).exitValue());
      }

      assertEquals(jobs, won.size(), "jobs taken, counted over all processes");
      assertEquals(jobs, new java.util.HashSet<>(won).size(), "no job taken twice");
      for (int j = 0; j < jobs; j++) {
        assertEquals(JobStatus.COMPLETED, store.find("job-" + j).orElseThrow().status());
      }
    } finally {
      children.forEach(Process::destroyForcibly);
    }
  }

  @Test
  void twoStoresOnTheSameFileSeeEachOthersWrites() {
    try (JdbcReportJobStore statusCommand = new JdbcReportJobStore(new Jdbc(url, null, null), Clock.fixed(T0, ZoneOffset.UTC))) {
      // a second migration run on a live database is harmless
      SchemaPolicy.prepare(new Jdbc(url, null, null), SchemaMigrations.Scope.JOB_STORE, true);

      store.create("job-1", "silo-hourly", "{}");
      assertEquals(JobStatus.PENDING, statusCommand.find("job-1").orElseThrow().status());

      assertTrue(statusCommand.markProcessing("job-1"));
      assertEquals(JobStatus.PROCESSING, store.find("job-1").orElseThrow().status());
      assertFalse(store.markProcessing("job-1"));

      assertTrue(store.markCompleted("job-1", "k", "https://s3/u"));
      assertEquals("https://s3/u", statusCommand.find("job-1").orElseThrow().s3Url());
      assertEquals(List.of("job-1"), ids(statusCommand.list(5)));
    }
  }

  @Test
  void migrateIsIdempotentAndLeavesTheFileInWalMode() throws Exception {
    store.create("job-1", "silo-hourly", "{}");
    SchemaPolicy.prepare(new Jdbc(url, null, null), SchemaMigrations.Scope.JOB_STORE, true);
    SchemaPolicy.prepare(new Jdbc(url, null, null), SchemaMigrations.Scope.JOB_STORE, false);
    assertEquals(JobStatus.PENDING, store.find("job-1").orElseThrow().status());

    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      try (ResultSet mode = s.executeQuery("PRAGMA journal_mode")) {
        mode.next();
        assertEquals("wal", mode.getString(1));
      }
      try (ResultSet index =
          s.executeQuery("SELECT name FROM pragma_index_info('report_jobs_status_created') ORDER BY seqno")) {
        List<String> columns = new ArrayList<>();
        while (index.next()) {
          columns.add(index.getString(1));
        }
        assertEquals(List.of("status", "created_at"), columns);
      }
      try (ResultSet stored = s.executeQuery("SELECT created_at FROM report_jobs")) {
        stored.next();
        assertEquals("2026-11-20T14:37:23.120Z", stored.getString(1), "UTC, millisecond ISO-8601 text");
      }
    }
  }

  @Test
  void aClosedStoreRefusesWorkAndAnInMemoryDatabaseIsRefusedUpFront() {
    store.close();
    assertThrows(IllegalStateException.class, () -> store.find("job-1"));
    assertThrows(
        IllegalArgumentException.class, () -> new JdbcReportJobStore(new Jdbc("jdbc:sqlite::memory:", null, null), clock));
    assertThrows(
        IllegalArgumentException.class, () -> new JdbcReportJobStore(new Jdbc("jdbc:postgresql://db/x", null, null), clock));
  }

  /** Moves a fresh PENDING job to {@code status} along the legal path. */
  private void driveTo(String jobId, JobStatus status) {
    switch (status) {
      case PENDING -> {}
      case PROCESSING -> assertTrue(store.markProcessing(jobId));
      case COMPLETED -> {
        assertTrue(store.markProcessing(jobId));
        assertTrue(store.markCompleted(jobId, "reports/" + jobId + ".xlsx", "https://s3/" + jobId));
      }
      case SUBMITTED -> assertTrue(store.markSubmitted(jobId, "local pid 1"));
      case FAILED -> assertTrue(store.markFailed(jobId, "earlier failure"));
      case EXPIRED -> {
        driveTo(jobId, JobStatus.COMPLETED);
        assertTrue(store.markExpired(jobId));
      }
    }
  }

  private static List<String> ids(List<ReportJob> jobs) {
    return jobs.stream().map(ReportJob::jobId).toList();
  }
}
