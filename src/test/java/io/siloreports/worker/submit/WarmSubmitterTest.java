package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm runners' pool, with runners of the test's own that speak the runner's protocol ({@link FakeWarmRunner}, real
 * child JVMs): a runner and a spare warmed up with the worker, the runner used last taken first, a second report at
 * once on the spare while a new spare starts, more than two idle runners stopped, a retired runner's successor warmed
 * up before the next report, a timed-out report's runner killed, and a report that needs Spark handed to spark-submit
 * (a script in its place) whose run is announced to the worker. The real runner and service: {@code WarmRunnerIT}.
 */
class WarmSubmitterTest {
  private static final Pattern PID = Pattern.compile("local pid (\\d+)@");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private WarmSubmitter warm;

  private WarmSubmitter submitter(int maxReports, long warmUpMillis) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("spark-home/bin"));
    Path sparkSubmit = bin.resolve("spark-submit");
    Files.writeString(sparkSubmit, "#!/bin/sh\necho \"spark-submit $$ took it\"\nsleep 1\n");
    Files.setPosixFilePermissions(sparkSubmit, PosixFilePermissions.fromString("rwxr-xr-x"));
    LocalSubmitter.Settings local = new LocalSubmitter.Settings(dir.resolve("spark-home").toString(), "app.jar",
        "local[1]", "-Xmx64m -XX:TieredStopAtLevel=1", dir.resolve("logs"), List.of(String.valueOf(warmUpMillis)),
        Map.of("PATH", System.getenv("PATH")));
    warm = new WarmSubmitter(local, new WarmSubmitter.Settings(
        ProcessHandle.current().info().command().orElseThrow(), List.of(), FakeWarmRunner.class.getName(),
        FakeWarmRunner.MARK, maxReports));
    return warm;
  }

  @AfterEach
  void close() {
    if (warm != null) {
      warm.close();
      runners().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static ReportJob job(String id) {
    return new ReportJob(id, JobStatus.PENDING, "silo_hourly", "{}", null, null, null, null, null, null, null, null,
        null, null, ReportJob.Trigger.ADHOC, null, null, null, null);
  }

  /** The runners alive, by the logs the pool opens for each it starts ({@code warm-runner-<pid>.log}). */
  private List<ProcessHandle> runners() {
    if (!Files.isDirectory(dir.resolve("logs"))) {
      return List.of();
    }
    try (Stream<Path> logs = Files.list(dir.resolve("logs"))) {
      return logs.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("warm-runner-"))
          .map(n -> ProcessHandle.of(Long.parseLong(n.substring("warm-runner-".length(), n.length() - 4))))
          .flatMap(java.util.Optional::stream).filter(ProcessHandle::isAlive).toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runners that have warmed up (their own logs say so). */
  private long warmedUp() throws Exception {
    try (Stream<Path> logs = Files.list(dir.resolve("logs"))) {
      return logs.filter(f -> f.getFileName().toString().startsWith("warm-runner-")).filter(f -> {
        try {
          return Files.readString(f).contains("warmed up");
        } catch (java.io.IOException e) {
          return false;
        }
      }).count();
    }
  }

  private static long pid(Submitter.Run run) {
    Matcher m = PID.matcher(run.ref());
    assertTrue(m.find(), run.ref());
    return Long.parseLong(m.group(1));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "waited " + WAIT + " for " + what);
      Thread.sleep(20);
    }
  }

  private static int exit(Submitter.Run run) throws Exception {
    return run.exitCode().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private BooleanSupplier runnersAre(int n) {
    return () -> runners().size() == n;
  }

  @Test
  void aRunnerAndASpareWarmUpAheadAndReportsAtOnceNeverWaitForAJvm() throws Exception {
    WarmSubmitter pool = submitter(50, 300);
    pool.prepare();
    await("a runner and a spare warmed up", () -> {
      try {
        return warmedUp() == 2;
      } catch (Exception e) {
        return false;
      }
    });
    Submitter.Run a = pool.submit(job("a-1"));
    assertEquals(0, exit(a));
    Submitter.Run b = pool.submit(job("b-1"));
    assertEquals(0, exit(b));
    assertEquals(pid(a), pid(b), "the runner used last takes the next report");
    assertEquals(2, runners().size(), "one runner and its spare, no more");
    assertTrue(Files.readString(dir.resolve("logs/b-1.log")).contains("report b-1: in runner " + pid(b)));

    // Two at once: the second takes the spare, and a new spare starts.
    Submitter.Run slow = pool.submit(job("slow-1"));
    await("slow-1 running", () -> Files.exists(dir.resolve("logs/slow-1.log")));
    Submitter.Run c = pool.submit(job("c-1"));
    assertEquals(0, exit(c));
    assertNotEquals(pid(slow), pid(c), "on the spare");
    await("a new spare", runnersAre(3));

    // Its job timed out: its runner is killed, and its run ends with the kill's exit code.
    assertTrue(pool.cancel(slow.ref()));
    assertNotEquals(0, exit(slow));
    await("the killed runner gone", runnersAre(2));
    assertTrue(ProcessHandle.of(pid(slow)).isEmpty() || !ProcessHandle.of(pid(slow)).get().isAlive());

    // Two at once again, both ending: three runners idle, and the one used longest ago is stopped.
    long started = runnerLogs();
    Submitter.Run d = pool.submit(job("brief-d"));
    Submitter.Run e = pool.submit(job("e-1")); // takes the last idle one: a third starts
    assertEquals(0, exit(e));
    assertEquals(0, exit(d));
    assertEquals(started + 1, runnerLogs(), "a third runner started");
    await("back to two", runnersAre(2));
    Thread.sleep(500);
    assertEquals(2, runners().size(), "stays at two");
  }

  private long runnerLogs() throws Exception {
    try (Stream<Path> logs = Files.list(dir.resolve("logs"))) {
      return logs.filter(f -> f.getFileName().toString().startsWith("warm-runner-")).count();
    }
  }

  @Test
  void aRetiredRunnersSuccessorWarmsUpBeforeTheNextReport() throws Exception {
    WarmSubmitter pool = submitter(2, 300);
    pool.prepare();
    await("two runners", runnersAre(2));
    Submitter.Run a = pool.submit(job("a-2"));
    assertEquals(0, exit(a));
    long retiring = pid(pool.submit(job("b-2")));
    await("the runner retired after 2 reports", () -> ProcessHandle.of(retiring).map(p -> !p.isAlive()).orElse(true));
    await("its successor started", runnersAre(2));
    Submitter.Run c = pool.submit(job("c-2"));
    assertEquals(0, exit(c));
    assertNotEquals(retiring, pid(c));
  }

  @Test
  void aReportThatNeedsSparkIsHandedToSparkSubmitWhoseRunTheWorkerIsTold() throws Exception {
    WarmSubmitter pool = submitter(50, 0);
    Submitter.Run run = pool.submit(job("spark-1"));
    String sparkSubmitRef = run.handedTo().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Matcher m = PID.matcher(sparkSubmitRef);
    assertTrue(m.find() && !sparkSubmitRef.contains("warm runner"), sparkSubmitRef);
    assertNotEquals(pid(run), Long.parseLong(m.group(1)), "spark-submit's own process");
    assertEquals(0, exit(run), "the warm run ends with spark-submit's");
    String log = Files.readString(dir.resolve("logs/spark-1.log"));
    assertTrue(log.contains("report spark-1: in runner " + pid(run)) && log.contains("spark-submit " + m.group(1)
        + " took it"), log);
  }
}
