package io.siloreports.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.MySqlTables;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import io.siloreports.testing.servers.MavenClasspath;
import io.siloreports.testing.servers.MiniYarn;
import io.siloreports.testing.servers.SharedTestServers;
import io.siloreports.testing.servers.SparkOnYarn;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on a real YARN in cluster deploy mode, as EMR runs its steps: Hadoop 3.4.1's own mini YARN cluster
 * ({@link MiniYarn}, the Hadoop of EMR 7.8-7.12), and the shaded jar submitted by Spark 3.5.6's {@code SparkSubmit}
 * (EMR 7.11's Spark) with the very arguments of the EMR step {@code deploy/silo_reports_steps.py} builds (the jar and
 * {@code emr.properties} in an artifacts directory, {@code --files} + {@code --config}, one YARN attempt but for the
 * stream), plus what a cluster's own configuration adds ({@link SparkOnYarn}); passwords reach the
 * driver through {@code spark.yarn.appMasterEnv.SILO_REPORTS_*}, standing in for the Secrets Manager reference of
 * production. The driver runs in the ApplicationMaster's container, executors in containers of their own. MariaDB and
 * S3Proxy are the shared test servers; every number is checked against {@link Oracle}.
 *
 * <p>Cases: a bounded stream run; a report (COMPLETED, the workbook on S3 equal to the oracle); a failed report
 * (YARN FAILED after one attempt, the job FAILED with its reason); the backfill; a long-running stream stopped by
 * the stop file {@code deploy/emr/add-steps.sh stop-stream} puts and by {@code stop-stream --kill}'s own command through
 * YARN, what each step shows, and exact restarts;
 * an executor SIGKILLed inside a task of a micro-batch and inside a task of a report (tasks retried on a new
 * executor, results still exact). One cluster for the class.
 *
 * <p>Longer than most test classes: seven cluster scenarios and the checks they share (logs, retried tasks).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class YarnClusterIT {
  // Jobs on the cluster validate with the real clock: data of a few days ago, never in its future.
  private static final Instant DAY = TestData.daysAgo(3);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  @TempDir static Path dir;
  private MiniYarn yarn;
  private SparkOnYarn spark;
  private EmbeddedMySql mysql;
  private EmbeddedS3 s3;
  private Path shadedJar;
  private final List<Run> started = new ArrayList<>();

  @BeforeAll
  void startTheCluster() throws Exception {
    try (Stream<Path> jars = Files.list(MavenClasspath.projectDir().resolve("target"))) {
      shadedJar = jars.filter(p -> p.getFileName().toString().endsWith("-shaded.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded jar in target/: run the package phase first (mvn verify)"));
    }
    mysql = SharedTestServers.mySql();
    s3 = SharedTestServers.s3();
    yarn = new MiniYarn(6144).start();
    spark = new SparkOnYarn(yarn, dir.resolve("spark"));
  }

  /** A case that failed half-way leaves no application running into the next one's database. */
  @AfterEach
  void stopWhatIsStillRunning() throws Exception {
    for (Run run : started) {
      if (run.process().isAlive()) {
        yarn.kill(run.applicationId());
        run.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
    started.clear();
  }

  @AfterAll
  void stopTheCluster() {
    if (yarn != null) {
      String workDir = yarn.workDir().toString();
      yarn.close();
      assertEquals(List.of(), ProcessHandle.allProcesses()
          .filter(p -> p.info().commandLine().map(c -> c.contains(workDir)).orElse(false))
          .map(p -> p.pid() + " " + p.info().command().orElse("?")).toList(),
          "the cluster's JVM and its containers' are gone");
    }
  }

  // ---------------------------------------------------------------------------------------------------- the cases

  @Test
  void aBoundedStreamRunsItsTasksInExecutorContainersAndEqualsTheOracle() throws Exception {
    Path base = dir.resolve("bounded");
    Map<String, String> profile = mysqlProfile(base);
    Random rnd = new Random(1);
    List<Oracle.Reading> readings = TestData.readings(rnd).silos(3).hours(DAY, 0, 6).every(60, 120).build();
    List<Oracle.Event> events = TestData.events(rnd).perHour(50).hours(DAY, 0, 6).build();
    writeHalves(base, readings, events, "{not json");

    Run run = submit("bounded-stream", "stream", profile, List.of());
    assertSucceeded(run);
    assertEquals(MySqlTables.rounded(Oracle.hourly(readings)), MySqlTables.hourly(mysql));
    assertEquals(Oracle.buckets(events), MySqlTables.buckets(mysql));
    assertEquals(2, MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE kind = 'bad'"), "one bad line each");

    List<Path> containers = yarn.containerLogDirs(run.applicationId());
    assertTrue(containers.size() >= 2, "the ApplicationMaster and an executor each had a container: " + containers);
    String executorLog = Files.readString(containers.get(1).resolve("stderr"));
    assertTrue(executorLog.contains("YarnCoarseGrainedExecutorBackend") && executorLog.contains("Finished task"),
        "the executor container ran tasks; " + containers.get(1));
    assertTrue(Files.readString(yarn.driverLog(run.applicationId())).contains("silo-reports stream"),
        "the driver ran in the ApplicationMaster's container");
  }

  @Test
  void aReportCompletesWithItsWorkbookOnS3EqualToTheOracle() throws Exception {
    Path base = dir.resolve("report");
    Map<String, String> profile = s3Profile(mysqlProfile(base), "yarn-report");
    List<Oracle.Reading> readings = streamedLocally(base, profile, 2);

    Run run = submit("report", "report", profile, List.of("--job-id", "yarn-r1", "--from", DAY.toString(),
        "--to", DAY.plus(1, ChronoUnit.DAYS).toString(), "--as-of", DAY.plus(6, ChronoUnit.HOURS).toString()));
    assertSucceeded(run);
    assertEquals(1, yarn.attempts(run.applicationId()).size());
    ReportJob job = mysqlJob("yarn-r1");
    assertEquals(JobStatus.COMPLETED, job.status(), job.errorMessage());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(readings), WorkbookReader.read(download(job)).rows());
  }

  @Test
  void aFailedReportEndsFailedWithItsReasonAfterOneAttempt() throws Exception {
    Path base = dir.resolve("failed");
    Map<String, String> profile = s3Profile(mysqlProfile(base), "yarn-failed");
    streamedLocally(base, profile, 3);

    Run run = submit("failed-report", "report", profile,
        List.of("--job-id", "yarn-no-s3", "--conf", "report.s3.endpoint=http://127.0.0.1:1"));
    assertEquals(1, run.exitCode(), "the step fails: " + run.tail());
    assertNoSecretLogged(run);
    ApplicationReport app = yarn.application(run.applicationId());
    assertEquals(YarnApplicationState.FINISHED, app.getYarnApplicationState());
    assertEquals(FinalApplicationStatus.FAILED, app.getFinalApplicationStatus());
    assertTrue(app.getDiagnostics().contains("User application exited with status 1"), app.getDiagnostics());
    assertTrue(run.output().contains("finished with failed status"), run.tail());
    assertEquals(1, yarn.attempts(run.applicationId()).size(), "a report never runs twice");
    ReportJob job = mysqlJob("yarn-no-s3");
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().contains("cannot reach S3"), job.errorMessage());
  }

  @Test
  void theBackfillTakesInTooLateReadingsAndEqualsTheOracle() throws Exception {
    Path base = dir.resolve("backfill");
    Map<String, String> profile = mysqlProfile(base);
    profile.put("stream.pipelines", "silo-readings");
    profile.put("backfill.pipelines", "silo-readings");
    profile.put("stream.max-revision-age", "2h");
    Random rnd = new Random(4);
    List<Oracle.Reading> onTime = TestData.readings(rnd).silos(3).hours(DAY, 0, 12).every(120, 240).build();
    List<Oracle.Reading> tooLate = TestData.readings(rnd).silos(3).hours(DAY, 2, 4).every(600, 900).build();
    InputFiles.write(base.resolve("input/silo-readings"), "r-0.jsonl", TestData.json(onTime));
    Wiring.stream(StreamConfig.from(Settings.of(profile)), LocalSpark.get(), Clock.systemUTC()).run();
    InputFiles.write(base.resolve("input/silo-readings"), "r-1-too-late.jsonl", TestData.json(tooLate));
    Wiring.stream(StreamConfig.from(Settings.of(profile)), LocalSpark.get(), Clock.systemUTC()).run();
    assertEquals(tooLate.size(), MySqlTables.count(mysql, "SELECT COUNT(*) FROM quarantine WHERE kind = 'too_late'"));
    assertNotEquals(MySqlTables.rounded(Oracle.hourly(TestData.concat(onTime, tooLate))), MySqlTables.hourly(mysql));

    Run run = submit("backfill", "backfill", profile, List.of("--from", DAY.toString()));
    assertSucceeded(run);
    assertEquals(MySqlTables.rounded(Oracle.hourly(TestData.concat(onTime, tooLate))), MySqlTables.hourly(mysql));
  }

  /**
   * The two stops of {@code add-steps.sh stop-stream}: the planned one (the stop file, {@code stream.stop-file}, put
   * while the stream runs: it stops between micro-batches and returns, so its step is COMPLETED) and {@code --kill}
   * (its own command, a YARN kill: the step FAILED); each restart resumes exactly.
   */
  @Test
  void aStreamStoppedThroughYarnShowsItsStepsStateAndRestartsExactly() throws Exception {
    Path base = dir.resolve("long");
    Map<String, String> profile = mysqlProfile(base);
    Random rnd = new Random(5);
    List<Oracle.Reading> readings = TestData.readings(rnd).silos(4).hours(DAY, 0, 12).every(60, 120).build();
    List<Oracle.Event> events = TestData.events(rnd).perHour(60).hours(DAY, 0, 12).build();
    List<List<Oracle.Reading>> r = quarters(readings);
    List<List<Oracle.Event>> e = quarters(events);
    write(base, 0, r.get(0), e.get(0));

    Run planned = start("long-stream", "stream", profile, List.of("--trigger", "1s"));
    awaitValidTotal("silo-readings", r.get(0).size(), planned);
    write(base, 1, r.get(1), e.get(1));
    Thread.sleep(rnd.nextInt(1500));
    Path stopFile = base.resolve("checkpoints/STOP"); // stream.stop-file's default, ${checkpoint.dir}/STOP
    Files.writeString(stopFile, "stop requested by YarnClusterIT\n");
    assertSucceeded(planned); // spark-submit exits 0: the step is COMPLETED
    ApplicationReport stopped = yarn.application(planned.applicationId());
    assertEquals(FinalApplicationStatus.SUCCEEDED, stopped.getFinalApplicationStatus());
    assertTrue(Files.readString(yarn.driverLog(planned.applicationId())).contains("stopping between micro-batches"));
    assertTrue(!Files.exists(stopFile), "the stream deleted its stop file");

    Run killedRun = start("long-stream-2", "stream", profile, List.of("--trigger", "1s"));
    String app = killedRun.applicationId();
    awaitValidTotal("silo-readings", r.get(0).size() + r.get(1).size(), killedRun);
    write(base, 2, r.get(2), e.get(2)); // the kill lands while these are read, aggregated or committed
    Thread.sleep(rnd.nextInt(1500));
    long committed = lastBatch("silo-readings");
    killStreamAsTheStepDoes();
    assertEquals(1, killedRun.exitCode(), "spark-submit fails, so its EMR step shows FAILED: " + killedRun.tail());
    assertNoSecretLogged(killedRun);
    assertTrue(killedRun.output().contains("Application " + app + " is killed"), killedRun.tail());
    ApplicationReport killed = yarn.application(app);
    assertEquals(YarnApplicationState.KILLED, killed.getYarnApplicationState());
    assertEquals(FinalApplicationStatus.KILLED, killed.getFinalApplicationStatus());
    assertTrue(killed.getDiagnostics().contains("killed by user"), killed.getDiagnostics());

    write(base, 3, r.get(3), e.get(3));
    assertSucceeded(submit("long-stream-restart", "stream", profile, List.of()));
    assertEquals(MySqlTables.rounded(Oracle.hourly(readings)), MySqlTables.hourly(mysql));
    assertEquals(Oracle.buckets(events), MySqlTables.buckets(mysql));
    assertEquals(readings.size(), validTotal("silo-readings"), "every reading counted once");
    assertEquals(events.size(), validTotal("activity-events"), "every event counted once");
    System.out.println("YARN stop-stream: the stop file ended " + planned.applicationId() + " SUCCEEDED (exit 0); --kill"
        + " ended " + app + " KILLED after readings batch " + committed + " (exit 1: " + killedRun.output().lines()
        .filter(l -> l.contains(" is killed")).findFirst().orElse("?") + "); the restart equal to the oracle");
  }

  @Test
  void anExecutorKilledInsideAMicroBatchIsReplacedAndNothingIsLostOrCountedTwice() throws Exception {
    Path base = dir.resolve("executor-lost-stream");
    Map<String, String> profile = mysqlProfile(base);
    Random rnd = new Random(6);
    List<Oracle.Reading> readings = TestData.readings(rnd).silos(8).hours(DAY, 0, 36).every(10, 30).build();
    List<Oracle.Event> events = TestData.events(rnd).perHour(400).accounts(6).hours(DAY, 0, 36).build();
    for (int f = 0; f < 6; f++) {
      write(base, f, readings.subList(f * readings.size() / 6, (f + 1) * readings.size() / 6),
          events.subList(f * events.size() / 6, (f + 1) * events.size() / 6));
    }

    Run stream = start("executor-lost-stream", "stream", profile, List.of());
    String app = stream.applicationId();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (lastBatch("silo-readings") < 0) { // after the first committed batch, inside a later one
      assertTrue(stream.process().isAlive() && System.nanoTime() < deadline, "no batch committed: " + stream.tail());
      Thread.sleep(50);
    }
    MiniYarn.KilledTask killed = yarn.killExecutorInsideATask(app, Duration.ofMinutes(3));
    long committed = lastBatch("silo-readings");

    assertSucceeded(stream);
    String retried = assertTaskRetried(app, killed);
    assertEquals(MySqlTables.rounded(Oracle.hourly(readings)), MySqlTables.hourly(mysql));
    assertEquals(Oracle.buckets(events), MySqlTables.buckets(mysql));
    assertEquals(readings.size(), validTotal("silo-readings"), "every reading counted once");
    assertEquals(events.size(), validTotal("activity-events"), "every event counted once");
    System.out.println("YARN executor lost in a micro-batch: " + killed + " after readings batch " + committed
        + "; " + retried + "; readings " + readings.size() + ", events " + events.size() + ", batches up to readings "
        + lastBatch("silo-readings") + " and events " + lastBatch("activity-events") + ": equal to the oracle");
  }

  @Test
  void anExecutorKilledInsideAReportIsReplacedAndTheWorkbookIsExact() throws Exception {
    Path base = dir.resolve("executor-lost-report");
    Map<String, String> profile = s3Profile(Profiles.embedded(base), "yarn-lost");
    profile.put("stream.pipelines", "silo-readings");
    profile.put("sink.parquet.direct-read-max-rows", "0"); // the report reads the aggregates with Spark's tasks
    List<Oracle.Reading> readings = streamedLocally(base, profile, 7);

    Run report = start("executor-lost-report", "report", profile, List.of("--job-id", "yarn-lost-1", "--from",
        DAY.toString(), "--to", DAY.plus(1, ChronoUnit.DAYS).toString(), "--as-of",
        DAY.plus(6, ChronoUnit.HOURS).toString()));
    MiniYarn.KilledTask killed = yarn.killExecutorInsideATask(report.applicationId(), Duration.ofMinutes(3));

    assertSucceeded(report);
    String retried = assertTaskRetried(report.applicationId(), killed);
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), false,
        Clock.systemUTC())) {
      ReportJob job = jobs.find("yarn-lost-1").orElseThrow();
      assertEquals(JobStatus.COMPLETED, job.status(), job.errorMessage());
      WorkbookReader.assertEqualsOracle(Oracle.hourly(readings), WorkbookReader.read(download(job)).rows());
    }
    System.out.println("YARN executor lost in a report: " + killed + "; " + retried + "; COMPLETED, "
        + Oracle.hourly(readings).size() + " silo-hours equal to the oracle");
  }

  // -------------------------------------------------------------------------------------------------- submitting

  /** A spark-submit of an EMR step against the mini cluster, and what it left. */
  private record Run(SparkOnYarn.Submission submission) {
    Process process() {
      return submission.process();
    }

    String applicationId() {
      return submission.applicationId();
    }

    int exitCode() throws Exception {
      return submission.exitCode(RUN_TIMEOUT);
    }

    String output() throws IOException {
      return submission.output();
    }

    String tail() {
      return submission.tail();
    }
  }

  private Run submit(String name, String command, Map<String, String> profile, List<String> flags) throws Exception {
    Run run = start(name, command, profile, flags);
    run.exitCode();
    return run;
  }

  /** Starts the EMR step of {@code command} (deploy/silo_reports_steps.py's) on the cluster: see SparkOnYarn. */
  private Run start(String name, String command, Map<String, String> profile, List<String> flags) throws Exception {
    Run run = new Run(spark.startStep(name, command, shadedJar, profile, flags));
    started.add(run);
    return run;
  }

  private void assertSucceeded(Run run) throws Exception {
    int exitCode = run.exitCode();
    assertNoSecretLogged(run);
    if (exitCode != 0) {
      String driver = Files.readString(yarn.driverLog(run.applicationId()));
      fail("spark-submit exited with " + exitCode + ":\n" + run.tail() + "\n--- the driver's errors ---\n"
          + driver.lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).limit(20)
              .collect(Collectors.joining("\n")));
    }
  }

  /** The passwords handed to the driver are in no log: spark-submit's, the ApplicationMaster's, the executors'. */
  private void assertNoSecretLogged(Run run) throws IOException {
    List<Path> logs = new ArrayList<>(List.of(run.submission().log()));
    for (Path container : yarn.containerLogDirs(run.applicationId())) {
      logs.add(container.resolve("stderr"));
      logs.add(container.resolve("stdout"));
    }
    for (Path log : logs) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      for (String secret : run.submission().secrets()) {
        assertTrue(!text.contains(secret), "a secret handed to the driver is in " + log);
      }
    }
  }

  /** Runs {@code add-steps.sh stop-stream --kill}'s own command (the step's bash -c) with this cluster's yarn. */
  private void killStreamAsTheStepDoes() throws Exception {
    Path addSteps = MavenClasspath.projectDir().resolve("deploy/emr/add-steps.sh");
    String assignment = Files.readAllLines(addSteps).stream().filter(l -> l.trim().startsWith("kill='"))
        .findFirst().orElseThrow(() -> new AssertionError("no kill='...' command in " + addSteps));
    ProcessBuilder stop = new ProcessBuilder("bash", "-c", assignment + "\nbash -c \"$kill\"").redirectErrorStream(true);
    stop.environment().put("PATH", yarn.yarnCommand().getParent() + ":" + System.getenv("PATH"));
    Process p = stop.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("Killing application"), "the step's command found the stream by name: " + out);
  }

  // --------------------------------------------------------------------------------------------- executors lost

  /**
   * The driver saw the task lost with its executor, asked YARN for another executor and ran the task again, all in
   * the application's first attempt. Returns the driver's two lines that say so, shortened.
   */
  private String assertTaskRetried(String applicationId, MiniYarn.KilledTask killed) throws IOException {
    String driver = Files.readString(yarn.driverLog(applicationId));
    String index = killed.task().substring(0, killed.task().indexOf('.'));
    String stageId = killed.stage().substring(0, killed.stage().indexOf('.'));
    String evidence = driver.lines().filter(l -> l.contains("(TID " + killed.tid() + ")")
        || l.contains("in stage " + killed.stage())
        || l.contains("Lost executor") || l.contains("Container")).limit(40).collect(Collectors.joining("\n"));
    // Spark logs the loss as "Lost task ...: ExecutorLostFailure" (counted towards spark.task.maxFailures) or as
    // "task ... failed because while it was being computed, its executor exited ..." (not counted): both were seen.
    String lost = driver.lines().filter(l -> l.contains("Lost task " + killed.task() + " in stage " + killed.stage()
        + " (TID " + killed.tid() + ")") || l.contains("(TID " + killed.tid() + ") failed because while it was being"
        + " computed, its executor exited")).findFirst()
        .orElseThrow(() -> new AssertionError("the driver lost task " + killed + " with its executor:\n" + evidence));
    List<String> starts = driver.lines().filter(Pattern.compile("Starting task " + index + "\\.\\d+ in stage "
        + stageId + "\\.\\d+ ").asPredicate()).toList();
    assertTrue(starts.size() >= 2, "the task ran again (a new attempt, or its stage's): " + killed + "\n" + evidence);
    assertTrue(yarn.containerLogDirs(applicationId).size() >= 3, "a new executor in a new container");
    assertEquals(1, yarn.attempts(applicationId).size(), "the loss cost a task, not the application's attempt");
    return shorten(lost) + " / then: " + shorten(starts.get(starts.size() - 1));
  }

  private static String shorten(String logLine) {
    String line = logLine.replaceFirst("^\\S+ \\S+ \\S+ ", "");
    int reason = line.indexOf(" Reason:");
    return reason > 0 ? line.substring(0, reason) : line.length() > 200 ? line.substring(0, 200) : line;
  }

  // ------------------------------------------------------------------------------------------------ fixtures

  /** The embedded default under {@code base} with the aggregates and the job store in MariaDB (a fresh database). */
  private Map<String, String> mysqlProfile(Path base) {
    mysql.recreateDatabase();
    Wiring.prepareAggregates(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword()), true);
    return Profiles.mysql(Profiles.embedded(base), mysql, null);
  }

  private Map<String, String> s3Profile(Map<String, String> base, String prefix) {
    return Profiles.s3(base, s3, prefix);
  }

  /** Readings of three silos over six hours, streamed into the profile's store in this JVM; returns them. */
  private List<Oracle.Reading> streamedLocally(Path base, Map<String, String> profile, long seed) throws Exception {
    List<Oracle.Reading> readings = TestData.readings(new Random(seed)).silos(3).hours(DAY, 0, 6).every(60, 120)
        .build();
    List<List<Oracle.Reading>> parts = thirds(readings);
    for (int f = 0; f < parts.size(); f++) {
      InputFiles.write(base.resolve("input/silo-readings"), "r-" + f + ".jsonl", TestData.json(parts.get(f)));
    }
    Map<String, String> readingsOnly = new LinkedHashMap<>(profile);
    readingsOnly.put("stream.pipelines", "silo-readings");
    Wiring.stream(StreamConfig.from(Settings.of(readingsOnly)), LocalSpark.get(), Clock.systemUTC()).run();
    return readings;
  }

  private static <T> List<List<T>> quarters(List<T> all) {
    int n = all.size();
    return List.of(all.subList(0, n / 4), all.subList(n / 4, n / 2), all.subList(n / 2, 3 * n / 4),
        all.subList(3 * n / 4, n));
  }

  private static <T> List<List<T>> thirds(List<T> all) {
    return List.of(all.subList(0, all.size() / 3), all.subList(all.size() / 3, 2 * all.size() / 3),
        all.subList(2 * all.size() / 3, all.size()));
  }

  private static void write(Path base, int file, List<Oracle.Reading> readings, List<Oracle.Event> events)
      throws IOException {
    InputFiles.write(base.resolve("input/silo-readings"), "r-" + file + ".jsonl", TestData.json(readings));
    InputFiles.write(base.resolve("input/activity-events"), "e-" + file + ".jsonl", TestData.eventJson(events));
  }

  /** Two files per pipeline, {@code bad} among the second ones. */
  private static void writeHalves(Path base, List<Oracle.Reading> readings, List<Oracle.Event> events, String bad)
      throws IOException {
    List<String> r = TestData.json(readings);
    List<String> e = TestData.eventJson(events);
    InputFiles.write(base.resolve("input/silo-readings"), "r-0.jsonl", r.subList(0, r.size() / 2));
    InputFiles.write(base.resolve("input/silo-readings"), "r-1.jsonl",
        TestData.concat(List.of(bad), r.subList(r.size() / 2, r.size())));
    InputFiles.write(base.resolve("input/activity-events"), "e-0.jsonl", e.subList(0, e.size() / 2));
    InputFiles.write(base.resolve("input/activity-events"), "e-1.jsonl",
        TestData.concat(List.of(bad), e.subList(e.size() / 2, e.size())));
  }

  private long lastBatch(String pipeline) throws Exception {
    return MySqlTables.count(mysql, "SELECT COALESCE(MAX(last_batch_id), -1) FROM aggregation_progress"
        + " WHERE pipeline = '" + pipeline + "'");
  }

  private long validTotal(String pipeline) throws Exception {
    return MySqlTables.count(mysql, "SELECT COALESCE(MAX(valid_total), 0) FROM aggregation_progress"
        + " WHERE pipeline = '" + pipeline + "'");
  }

  private void awaitValidTotal(String pipeline, long total, Run run) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (validTotal(pipeline) < total) {
      assertTrue(run.process().isAlive() && System.nanoTime() < deadline,
          pipeline + " did not commit " + total + " records: " + run.tail());
      Thread.sleep(100);
    }
  }

  private ReportJob mysqlJob(String jobId) {
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword()), false,
        Clock.systemUTC())) {
      return jobs.find(jobId).orElseThrow();
    }
  }

  /** The job's object fetched from S3Proxy by its presigned URL. */
  private Path download(ReportJob job) throws Exception {
    assertTrue(s3.s3Client().headObject(b -> b.bucket(s3.bucket()).key(job.s3Key())).contentLength() > 0);
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(job.s3Url())).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    Path local = dir.resolve(job.jobId() + ".xlsx");
    Files.write(local, file.body());
    return local;
  }
}
