package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestLogs;
import io.siloreports.testing.servers.MavenClasspath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON log lines: a report run (the {@code report} command in its own JVM, Spark included) with
 * {@code -Dlog4j2.configurationFile=conf/log4j2-json.properties}, as {@code SILO_REPORTS_LOG_FORMAT=json} makes the
 * launch scripts choose it. Every line it logs is one JSON object with the ECS fields, and the lines of the report
 * carry the request id stored with its job and the job's id as top-level fields. The shaded jar carries the layout
 * and its log4j plugin descriptor, so Spark's log4j-core finds it there too.
 */
class JsonLogLinesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
  @TempDir Path dir;

  @Test
  void everyLineOfAReportRunIsAJsonObjectAndItsLinesCarryTheRequestIdOfItsJob() throws Exception {
    Map<String, String> settings = Profiles.embedded(dir);
    String jobId = "r-json-lines-1";
    String requestId = "json-trace-" + Long.toHexString(System.nanoTime());
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(settings.get("jobstore.url"), null, null), true,
        Clock.systemUTC())) {
      jobs.create(jobId, ReportRequest.REPORT_TYPE, "{}", "ops", requestId);
    }
    Path project = MavenClasspath.projectDir();
    String pom = Files.readString(project.resolve("pom.xml"));
    String opens = pom.substring(pom.indexOf("<spark.java17.opens>") + 20, pom.indexOf("</spark.java17.opens>"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(opens.trim().split("\\s+")));
    cmd.addAll(List.of("-Xmx1g", "-Dlog4j2.configurationFile=" + project.resolve("conf/log4j2-json.properties"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "report", "--job-id", jobId));
    settings.forEach((k, v) -> {
      if (!k.equals("report.job-id")) {
        cmd.addAll(List.of("--conf", k + "=" + v));
      }
    });
    Path log = TestLogs.file("json-log-lines", "report.log");
    Path out = TestLogs.file("json-log-lines", "report.out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile()).redirectOutput(out.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    assertTrue(p.waitFor(4, TimeUnit.MINUTES), "the report ended; log: " + log);

    List<String> lines = Files.readAllLines(log);
    assertFalse(lines.isEmpty(), "the run logged");
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      JsonNode e;
      try {
        e = JSON.readTree(line);
      } catch (IOException notJson) {
        throw new AssertionError("not a JSON line: " + line, notJson);
      }
      assertTrue(e != null && e.isObject(), line);
      Instant.parse(e.path("@timestamp").asText()); // ISO-8601, UTC
      assertTrue(LEVELS.contains(e.path("log.level").asText()), line);
      assertFalse(e.path("log.logger").asText().isEmpty(), line);
      assertTrue(e.path("message").isTextual(), line);
      events.add(e);
    }
    assertEquals(List.of("report " + jobId + ": PROCESSING", "report " + jobId + ": COMPLETED"), events.stream()
        .filter(e -> e.path("log.logger").asText().equals("io.siloreports.report.SiloReport"))
        .map(e -> e.path("message").asText().replaceAll("^(report \\S+: \\w+).*", "$1")).toList(), lines.toString());
    List<JsonNode> ofTheReport = events.stream()
        .filter(e -> e.path("log.logger").asText().startsWith("io.siloreports.report.")).toList();
    assertTrue(ofTheReport.size() >= 4, "the report, its assembler and its workbook writer: " + ofTheReport);
    for (JsonNode e : ofTheReport) {
      assertEquals(requestId, e.path(LogContext.REQUEST_ID).asText(), e.toString());
      assertEquals(jobId, e.path(LogContext.JOB_ID).asText(), e.toString());
    }
    assertEquals(0, p.exitValue(), "the report completed; log: " + log);
  }

  @Test
  void theShadedJarCarriesTheLayoutAndItsPluginDescriptor() throws Exception {
    Path shaded;
    try (Stream<Path> jars = Files.list(MavenClasspath.projectDir().resolve("target"))) {
      shaded = jars.filter(j -> j.getFileName().toString().endsWith("-shaded.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded jar in target/: run the package phase first (mvn verify)"));
    }
    try (ZipFile jar = new ZipFile(shaded.toFile())) {
      assertTrue(jar.getEntry("org/apache/logging/log4j/layout/template/json/JsonTemplateLayout.class") != null);
      assertTrue(jar.getEntry("EcsLayout.json") != null, "the event template conf/log4j2-json.properties names");
      byte[] descriptor = jar.getInputStream(
          jar.getEntry("META-INF/org/apache/logging/log4j/core/config/plugins/Log4j2Plugins.dat")).readAllBytes();
      assertTrue(new String(descriptor, java.nio.charset.StandardCharsets.ISO_8859_1).contains("JsonTemplateLayout"),
          "log4j finds the layout by its plugin descriptor");
      assertTrue(jar.getEntry("org/apache/logging/log4j/core/Logger.class") == null,
          "log4j-core itself stays Spark's");
    }
  }
}
