package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestLogs;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedS3;
import io.siloreports.testing.servers.MavenClasspath;
import io.siloreports.testing.servers.SharedTestServers;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shaded jar the way a cluster runs it: Spark's own {@code SparkSubmit} in a child JVM, {@code --class
 * io.siloreports.cli.Main}, the jar as the application, Spark and Hadoop only from the classpath the cluster
 * provides. Once with this build's Spark, once with EMR 7.11's Spark and AWS SDK v2 ahead of the jar, as the cluster
 * puts them: a report to S3Proxy completes and its workbook is exact. Exit codes reach spark-submit's own exit code,
 * and the bundled MSK IAM library is accepted by kafka-clients with {@code conf/emr.properties}' settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkSubmitIT {
  private static final Instant DAY = TestData.daysAgo(3); // streamed under the real clock
  @TempDir static Path dir;
  private Path shadedJar;
  private Map<String, String> profile;
  private List<Oracle.Reading> readings;
  private EmbeddedS3 s3;

  @BeforeAll
  void data() throws Exception {
    try (Stream<Path> jars = Files.list(MavenClasspath.projectDir().resolve("target"))) {
      shadedJar = jars.filter(p -> p.getFileName().toString().endsWith("-shaded.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded jar in target/: run the package phase first (mvn verify)"));
    }
    s3 = SharedTestServers.s3();
    profile = Profiles.s3(Profiles.embedded(dir), s3, "spark-submit");
    profile.put("stream.pipelines", "silo-readings");
    readings = TestData.readings(new Random(12)).silos(3).hours(DAY, 0, 6).every(300, 600).build();
    InputFiles.write(dir.resolve("input/silo-readings"), "readings.jsonl", TestData.json(readings));
    Wiring.stream(StreamConfig.from(Settings.of(profile)), LocalSpark.get(), Clock.systemUTC()).run();
  }

  private record Run(int exitCode, String log) {}

  /** spark-submit of the shaded jar in a child JVM on {@code clusterClasspath}; settings as flags, keys in its env. */
  private Run sparkSubmit(List<Path> clusterClasspath, String name, String... appArgs) throws Exception {
    return sparkSubmit(clusterClasspath, name, true, appArgs);
  }

  private Run sparkSubmit(List<Path> clusterClasspath, String name, boolean withProfile, String... appArgs)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(opens()));
    cmd.addAll(List.of("-cp", clusterClasspath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--class", "io.siloreports.cli.Main", shadedJar.toString()));
    cmd.addAll(List.of(appArgs));
    (withProfile ? profile : Map.<String, String>of()).forEach((k, v) -> {
      if (!k.contains("access-key") && !k.contains("secret-key") && !k.equals("report.job-id")) {
        cmd.add("--conf");
        cmd.add(k + "=" + v);
      }
    });
    Path log = TestLogs.file("spark-submit", name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SILO_REPORTS_REPORT_S3_ACCESS_KEY", s3.accessKey());
    pb.environment().put("SILO_REPORTS_REPORT_S3_SECRET_KEY", s3.secretKey());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    assertTrue(p.waitFor(4, TimeUnit.MINUTES), "spark-submit finished; log: " + log);
    return new Run(p.exitValue(), Files.readString(log));
  }

  private static String[] opens() throws Exception {
    String pom = Files.readString(MavenClasspath.projectDir().resolve("pom.xml"));
    String flags = pom.substring(pom.indexOf("<spark.java17.opens>") + 20, pom.indexOf("</spark.java17.opens>"));
    return flags.trim().split("\\s+");
  }

  /** What a plain install of this build's Spark puts on the driver's classpath. */
  private static List<Path> providedClasspath() {
    return MavenClasspath.of("spark-3.5.7");
  }

  private ReportJobStore jobs() {
    return Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), false, Clock.systemUTC());
  }

  private void completesWithAnExactWorkbook(List<Path> classpath, String jobId) throws Exception {
    Run run = sparkSubmit(classpath, jobId, "report", "--job-id", jobId, "--from", DAY.toString(),
        "--to", DAY.plus(1, ChronoUnit.DAYS).toString(), "--as-of", DAY.plus(6, ChronoUnit.HOURS).toString());
    assertEquals(0, run.exitCode(), run.log());
    assertFalse(run.log().contains("NoSuchMethodError") || run.log().contains("LinkageError"), run.log());
    ReportJob job = jobs().find(jobId).orElseThrow();
    assertEquals(JobStatus.COMPLETED, job.status(), job.errorMessage());
    assertTrue(s3.s3Client().headObject(b -> b.bucket(s3.bucket()).key(job.s3Key())).contentLength() > 0);
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(job.s3Url())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, file.statusCode());
    Path local = dir.resolve(jobId + ".xlsx");
    Files.write(local, file.body());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(readings), WorkbookReader.read(local).rows());
  }

  @Test
  void theShadedJarRunsAReportThroughSparkSubmit() throws Exception {
    completesWithAnExactWorkbook(providedClasspath(), "submit-plain");
  }

  /**
   * EMR 7.6 (Spark 3.5.3, AWS SDK 2.29.25) and 7.11 (Spark 3.5.6, SDK 2.35.5) put their SDK ahead of the jar; the
   * jar's own, relocated, is the one it runs on. (Unrelocated, 7.6's SDK fails the report with a NoSuchMethodError.)
   */
  @ParameterizedTest
  @CsvSource({"emr-7.6, 2.29.25, 3.5.3", "emr-7.11, 2.35.5, 3.5.6"})
  void theShadedJarRunsOnAnEmrReleasesSparkAndAwsSdkAheadOfIt(String release, String sdk, String spark)
      throws Exception {
    List<Path> emr = MavenClasspath.of(release);
    assertTrue(emr.stream().anyMatch(p -> p.getFileName().toString().equals("s3-" + sdk + ".jar")), emr.toString());
    assertTrue(emr.stream().anyMatch(p -> p.getFileName().toString().equals("spark-core_2.12-" + spark + ".jar")));
    completesWithAnExactWorkbook(emr, "submit-" + release.replace('.', '-'));
  }

  @Test
  void exitCodesReachSparkSubmitAndAFailedRunEndsItsJobFailed() throws Exception {
    Run again = sparkSubmit(providedClasspath(), "submit-again", "report", "--job-id", "submit-twice");
    assertEquals(0, again.exitCode(), again.log());
    Run twice = sparkSubmit(providedClasspath(), "submit-twice", "report", "--job-id", "submit-twice");
    assertEquals(Main.NOT_PENDING, twice.exitCode(), "a job runs once: " + twice.log());
    assertTrue(twice.log().contains("User application exited with 3") || twice.log().contains("is COMPLETED, not"),
        twice.log());

    Map<String, String> saved = new LinkedHashMap<>(profile);
    profile.put("report.s3.endpoint", "http://127.0.0.1:1");
    try {
      Run failed = sparkSubmit(providedClasspath(), "submit-failed", "report", "--job-id", "submit-no-s3");
      assertEquals(Main.FAILED, failed.exitCode(), failed.log());
    } finally {
      profile.clear();
      profile.putAll(saved);
    }
    ReportJob job = jobs().find("submit-no-s3").orElseThrow();
    assertEquals(JobStatus.FAILED, job.status());
    assertTrue(job.errorMessage().contains("cannot reach S3"), job.errorMessage());

    Run usage = sparkSubmit(providedClasspath(), "submit-usage", "report", "--job-id", "x", "--nope", "1");
    assertEquals(Main.USAGE, usage.exitCode(), usage.log());
  }

  @Test
  void theBundledMskIamLibraryIsAcceptedWithTheEmrSecuritySettings() throws Exception {
    Path emrConf = MavenClasspath.projectDir().resolve("conf/emr.properties");
    Run run = sparkSubmit(providedClasspath(), "msk-iam", false, "produce", "--config", emrConf.toString(),
        "--conf", "kafka.bootstrap.servers=127.0.0.1:1", "--conf", "kafka.max.block.ms=1000",
        "--input", dir.resolve("no-input").toString());
    assertEquals(0, run.exitCode(), "kafka-clients built a producer with SASL_SSL + AWS_MSK_IAM: " + run.log());
    assertTrue(run.log().contains("no directory"), run.log());
  }
}
