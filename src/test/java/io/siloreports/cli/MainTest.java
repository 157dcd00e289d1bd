package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's exit codes and help, on commands that need no Spark. */
class MainTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(Main.USAGE, run().code());
    Run unknown = run("frobnicate");
    assertEquals(Main.USAGE, unknown.code());
    assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
    Run badFlag = run("status", "--nope", "1");
    assertEquals(Main.USAGE, badFlag.code());
    assertTrue(badFlag.err().contains("unknown flag --nope"), badFlag.err());
    Run badValue = run("status", "--conf", "sink.type=csv");
    assertEquals(Main.USAGE, badValue.code());
    assertTrue(badValue.err().contains("sink.type"), badValue.err());
  }

  @Test
  void helpComesFromTheDeclarations() {
    Run all = run("--help");
    assertEquals(Main.DONE, all.code());
    assertTrue(all.out().contains("stream.allowed-lateness (duration)"), all.out());
    assertTrue(all.out().contains("db.password (text)") && all.out().contains("secret: from SILO_REPORTS_DB_PASSWORD"),
        all.out());
    Run report = run("report", "--help");
    assertEquals(Main.DONE, report.code());
    assertTrue(report.out().contains("--job-id") && report.out().contains("sets report.job-id")
        && report.out().contains("env SILO_REPORTS_REPORT_JOB_ID"), report.out());
  }

  @Test
  void withoutMigrateOnStartAJobStoppesAtAMissingSchemaAndMigrateCreatesIt() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("jobs/jobstore.db");
    Run before = run("status", "--conf", "jobstore.url=" + url, "--conf", "warehouse.dir=" + dir.resolve("w"));
    assertEquals(Main.FAILED, before.code());
    Run migrate = run("migrate", "--conf", "jobstore.url=" + url);
    assertEquals(Main.DONE, migrate.code(), migrate.err());
    assertTrue(migrate.out().contains("job store schema, 7 migration(s) applied"), migrate.out());
    Run status = run("status", "--conf", "jobstore.url=" + url, "--conf", "warehouse.dir=" + dir.resolve("w"));
    assertEquals(Main.DONE, status.code(), status.err());
    assertTrue(status.out().contains("(no report jobs yet)"), status.out());
    assertTrue(status.out().contains("silo-readings    (no batch committed in Parquet under"), status.out());
    Run unknownJob = run("status", "--conf", "jobstore.url=" + url, "--job-id", "nope");
    assertEquals(Main.FAILED, unknownJob.code());
    assertTrue(unknownJob.out().contains("no report job 'nope'"), unknownJob.out());
    assertTrue(Files.exists(dir.resolve("jobs/jobstore.db")));
  }

  @Test
  void aReportWithBadSettingsEndsItsJobFailedInsteadOfLeavingItPending() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("jobs.db");
    assertEquals(Main.DONE, run("migrate", "--conf", "jobstore.url=" + url).code());
    var jobs = Wiring.jobStore(new io.siloreports.db.Jdbc(url, null, null), false, java.time.Clock.systemUTC());
    jobs.create("waiting", "silo_hourly", "{}");
    Run bad = run("report", "--conf", "jobstore.url=" + url, "--job-id", "waiting", "--from", "last tuesday");
    assertEquals(Main.USAGE, bad.code());
    var job = jobs.find("waiting").orElseThrow();
    assertEquals(io.siloreports.jobstore.JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().startsWith("invalid settings: setting 'report.from' has an invalid value"),
        job.errorMessage());
    Run status = run("status", "--conf", "jobstore.url=" + url, "--job-id", "waiting");
    assertTrue(status.out().contains("history:") && status.out().contains("PENDING    -> FAILED"), status.out());
  }

  /**
   * {@code generate} then {@code report --format pdf}, as a user types them (no stream run: the report reads the raw
   * files itself): the PDF is where the job says, and its all-silos row counts every generated reading. Needs
   * poppler's pdftotext (poppler-utils, installed by .ci/run).
   */
  @Test
  void aGeneratedDataSetReportsAsPdf() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("pdf-jobs.db");
    String[] where = {"--conf", "jobstore.url=" + url, "--conf", "input.dir=" + dir.resolve("in"),
        "--conf", "warehouse.dir=" + dir.resolve("w"), "--conf", "checkpoint.dir=" + dir.resolve("c"),
        "--conf", "report.output-dir=" + dir.resolve("out")};
    assertEquals(Main.DONE, run(concat(new String[] {"migrate"}, where)).code());
    Run generated = run(concat(new String[] {"generate", "--silos", "2", "--days", "2", "--end", "2026-12-01T00:00:00Z",
        "--bad-per-kind", "0", "--late-per-pipeline", "0"}, where));
    assertEquals(Main.DONE, generated.code(), generated.err());
    long readings;
    try (var files = Files.walk(dir.resolve("in/silo-readings"))) {
      readings = files.filter(Files::isRegularFile).mapToLong(f -> {
        try (var lines = Files.lines(f)) {
          return lines.filter(l -> !l.isBlank()).count();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sum();
    }
    Run report = run(concat(new String[] {"report", "--job-id", "cli-pdf", "--format", "pdf",
        "--from", "2026-11-29T00:00:00Z", "--to", "2026-12-01T00:00:00Z", "--as-of", "2026-12-01T00:00:00Z"}, where));
    assertEquals(Main.DONE, report.code(), report.err() + report.out());
    Path pdf = dir.resolve("out/reports/cli-pdf/silo_data_report.pdf");
    assertTrue(Files.exists(pdf), report.out());
    Process text = new ProcessBuilder("pdftotext", "-layout", pdf.toString(), "-").start();
    String pages = new String(text.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, text.waitFor(), "pdftotext (poppler-utils) read the PDF");
    String all = pages.lines().filter(l -> l.startsWith("all silos")).findFirst().orElseThrow(() ->
        new AssertionError("no all-silos row:\n" + pages));
    assertEquals(String.valueOf(readings), all.trim().split("\\s+")[3], "readings, all silos: " + all);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The report command checks its range after defaults, as the API does: --from 1970-01-01 alone is refused. */
  @Test
  void aReportWhoseRangeIsTooLongOnceDefaultedEndsItsJobFailedWithTheReason() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("range-jobs.db");
    assertEquals(Main.DONE, run("migrate", "--conf", "jobstore.url=" + url).code());
    var jobs = Wiring.jobStore(new io.siloreports.db.Jdbc(url, null, null), false, java.time.Clock.systemUTC());
    jobs.create("ancient", "silo_hourly", "{}");
    Run bad = run("report", "--conf", "jobstore.url=" + url, "--job-id", "ancient", "--from", "1970-01-01");
    assertEquals(Main.USAGE, bad.code());
    var job = jobs.find("ancient").orElseThrow();
    assertEquals(io.siloreports.jobstore.JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().startsWith("invalid settings: the range is longer than 3700 days (from"
        + " 1970-01-01T00:00:00Z, to defaulted to "), job.errorMessage());
  }

  /** Under spark-submit or YARN's ApplicationMaster: main returns on success and throws the code on failure. */
  @Test
  void launchedBySparkMainReturnsOrThrowsTheExitCodeAndNeverExits() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("cluster/jobs.db");
    System.setProperty("spark.submit.deployMode", "cluster");
    try {
      Main.main(new String[] {"migrate", "--conf", "jobstore.url=" + url}); // returns: this JVM is still here
      org.apache.spark.SparkUserAppException usage = org.junit.jupiter.api.Assertions.assertThrows(
          org.apache.spark.SparkUserAppException.class, () -> Main.main(new String[] {"status", "--nope", "1"}));
      assertEquals(Main.USAGE, usage.exitCode());
      org.apache.spark.SparkUserAppException failed = org.junit.jupiter.api.Assertions.assertThrows(
          org.apache.spark.SparkUserAppException.class,
          () -> Main.main(new String[] {"status", "--conf", "jobstore.url=" + url, "--job-id", "none"}));
      assertEquals(Main.FAILED, failed.exitCode());
    } finally {
      System.clearProperty("spark.submit.deployMode");
    }
  }
}
