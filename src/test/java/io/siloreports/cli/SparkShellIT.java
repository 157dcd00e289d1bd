package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.TestLogs;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.MavenClasspath;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-shell recipe, run for real: Spark's REPL ({@code org.apache.spark.repl.Main} through SparkSubmit, as
 * {@code bin/spark-shell} runs it) with {@code --jars} the shaded jar, fed a script that runs a report on the embedded
 * default with {@code Shell.run(spark, ...)} and reads back its status. The shell's session keeps its own settings and
 * stays usable afterwards.
 */
class SparkShellIT {
  private static final Instant DAY = TestData.daysAgo(3); // streamed under the real clock
  @TempDir Path dir;

  @Test
  void aReportRunsFromSparkShellWithTheShellsOwnSession() throws Exception {
    Map<String, String> profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    List<Oracle.Reading> readings = TestData.readings(new Random(6)).silos(2).hours(DAY, 0, 4).every(300, 600).build();
    InputFiles.write(dir.resolve("input/silo-readings"), "readings.jsonl", TestData.json(readings));
    Wiring.stream(StreamConfig.from(Settings.of(profile)), LocalSpark.get(), Clock.systemUTC()).run();

    Path project = MavenClasspath.projectDir();
    Path shadedJar;
    try (Stream<Path> jars = Files.list(project.resolve("target"))) {
      shadedJar = jars.filter(p -> p.getFileName().toString().endsWith("-shaded.jar")).findFirst().orElseThrow();
    }
    List<String> flags = new ArrayList<>();
    profile.forEach((k, v) -> {
      if (!k.equals("report.job-id")) {
        flags.add("\"--conf\", \"" + k + "=" + v + "\"");
      }
    });
    String conf = String.join(", ", flags);
    String script = String.join("\n",
        "import io.siloreports.cli.Shell",
        "val report = Shell.run(spark, \"report\", " + conf + ", \"--job-id\", \"shell-1\", \"--from\", \"" + DAY
            + "\", \"--to\", \"" + DAY.plusSeconds(86_400) + "\")",
        "println(\"OUTCOME \" + report.succeeded)",
        "val status = Shell.run(spark, \"status\", " + conf + ", \"--job-id\", \"shell-1\")",
        "println(\"STATUS \" + status.succeeded)",
        "println(\"ZONE \" + spark.conf.get(\"spark.sql.session.timeZone\"))",
        "println(\"PARTITIONS \" + spark.conf.get(\"spark.sql.shuffle.partitions\"))",
        "println(\"STILL \" + spark.range(5).count())",
        ":quit", "");
    String opens = Files.readString(project.resolve("pom.xml"));
    opens = opens.substring(opens.indexOf("<spark.java17.opens>") + 20, opens.indexOf("</spark.java17.opens>"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(opens.trim().split("\\s+")));
    cmd.addAll(List.of("-Dscala.usejavacp=true", "-cp",
        MavenClasspath.of("spark-shell-3.5.7").stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "org.apache.spark.deploy.SparkSubmit", "--class", "org.apache.spark.repl.Main", "--name", "Spark shell",
        "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.session.timeZone=Asia/Tokyo",
        "--conf", "spark.sql.shuffle.partitions=3", "--jars", shadedJar.toString(), "spark-shell"));
    Path log = TestLogs.file("spark-shell", "shell.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process shell = pb.start();
    shell.getOutputStream().write(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    shell.getOutputStream().close();
    assertTrue(shell.waitFor(4, TimeUnit.MINUTES), "the shell ended; " + log);
    String out = Files.readString(log);
    assertTrue(out.contains("OUTCOME true"), out);
    assertTrue(out.contains("STATUS true"), out);
    assertTrue(out.contains("ZONE Asia/Tokyo"), "the shell's session keeps its time zone: " + out);
    assertTrue(out.contains("PARTITIONS 3"), "and its shuffle partitions: " + out);
    assertTrue(out.contains("STILL 5"), "and stays usable: " + out);
    assertTrue(out.contains("history:"), "status read the job back: " + out);

    ReportJob job = Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), false, Clock.systemUTC())
        .find("shell-1").orElseThrow();
    assertEquals(JobStatus.COMPLETED, job.status());
    WorkbookReader.assertEqualsOracle(Oracle.hourly(readings),
        WorkbookReader.read(Path.of(URI.create(job.s3Url()))).rows());
  }
}
