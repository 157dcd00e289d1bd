package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.config.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.junit.jupiter.api.Test;

/**
 * What the EMR and Airflow launchers submit, built by the same Python code they use (deploy/silo_reports_steps.py),
 * checked against the real parsers: Spark's {@code SparkSubmitArguments} for the spark-submit options and the
 * commands' own flags for the job arguments. Also: bad report confs are refused before anything is submitted. No
 * Airflow and no AWS needed. (The Airflow DAG file is loaded under stand-ins of Airflow 2 and 3 by
 * {@code worker.submit.AirflowDagFileTest}.)
 */
class DeployStepsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String python(String script) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", script).directory(Path.of("deploy").toFile())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 finished");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** The worker's EMR submitter builds the very step the scripts and DAGs build: one definition, held equal here. */
  @Test
  void theWorkersEmrStepIsTheScriptsStep() throws Exception {
    String out = python(String.join("\n",
        "import json, silo_reports_steps as s",
        "print(json.dumps(s.emr_step('report', 's3://bucket/silo-reports', s.report_arguments({'job_id': 'r-9'}),"
            + " {'jobstore': 'js/secret', 'db': 'rds/silo'}, ['--driver-memory', '4g'])))"));
    List<String> python = new ArrayList<>();
    JSON.readTree(out).get("HadoopJarStep").get("Args").forEach(a -> python.add(a.asText()));
    assertEquals(python, io.siloreports.worker.submit.EmrSubmitter.stepArgs("s3://bucket/silo-reports", "r-9",
        java.util.Map.of("db", "rds/silo", "jobstore", "js/secret"), List.of("--driver-memory", "4g")));
  }

  @Test
  void everyStepParsesWithSparkSubmitAndWithTheCommandsFlags() throws Exception {
    String out = python(String.join("\n",
        "import json, silo_reports_steps as s",
        "a = 's3://bucket/silo-reports'",
        "ids = {'db': 'rds/silo-reports'}",
        "steps = [",
        "  s.emr_step('stream', a, [], ids, ['--driver-memory', '4g']),",
        "  s.emr_step('migrate', a, [], ids),",
        "  s.emr_step('backfill', a, ['--from', '2026-11-01', '--to', '2026-11-20', '--chunk', '6h'], ids),",
        "  s.emr_step('report', a, s.report_arguments({'job_id': 'r-1', 'silos': [1, 3], 'from': '2026-11-01',"
            + " 'to': '2026-11-08', 'as_of': '2026-11-08T05:30:00Z', 'format': 'xlsx'}), ids),",
        "  s.emr_step('report', a, s.report_arguments({'job_id': 'r-2', 'silos': '2-4'}), {}),",
        "  {'HadoopJarStep': {'Args': s.spark_submit_command('report', a, s.report_arguments({'job_id': 'r-3'}),"
            + " emr=False, secret_ids=ids)}},",
        "]",
        "print(json.dumps(steps))"));
    JsonNode steps = JSON.readTree(out);
    assertEquals(6, steps.size());
    for (JsonNode step : steps) {
      List<String> args = new ArrayList<>();
      step.get("HadoopJarStep").get("Args").forEach(a -> args.add(a.asText()));
      assertEquals("spark-submit", args.get(0));
      int jar = args.indexOf(args.stream().filter(a -> a.endsWith("silo-reports-shaded.jar")).findFirst().orElseThrow());
      // Spark's own parser: unknown options and a missing resource or class are errors.
      SparkSubmitArguments parsed = new SparkSubmitArguments(
          scala.collection.JavaConverters.asScalaBuffer(args.subList(1, args.size())).toSeq(),
          scala.collection.immutable.Map$.MODULE$.<String, String>empty());
      assertEquals("io.siloreports.cli.Main", parsed.mainClass());
      assertEquals("cluster", parsed.deployMode());
      assertEquals(args.get(jar), parsed.primaryResource());
      assertTrue(parsed.files().endsWith("emr.properties"), parsed.files());
      assertEquals("UTC", parsed.sparkProperties().get("spark.sql.session.timeZone").get());
      // The command's own flags: an unknown flag or a value the setting cannot take is an error here.
      String command = args.get(jar + 1);
      Settings s = Settings.load(args.subList(jar + 2, args.size()).stream()
          .map(a -> a.equals("emr.properties") ? Path.of("conf/emr.properties").toString() : a).toList(),
          Main.command(command).flags(), Map.of());
      assertTrue(s.unknownKeys().isEmpty(), s.unknownKeys().toString());
      // What must not run twice gets one YARN attempt; the stream is restarted from its checkpoint, old failures
      // expiring (at most yarn.resourcemanager.am.max-attempts of deploy/emr/configurations.json).
      String attempts = command.equals("stream") ? "4" : "1";
      assertEquals(attempts, parsed.sparkProperties().get("spark.yarn.maxAppAttempts").getOrElse(() -> "unset"),
          command);
      assertEquals(command.equals("stream"),
          parsed.sparkProperties().contains("spark.yarn.am.attemptFailuresValidityInterval"), command);
      if (command.equals("report")) {
        ReportConfig.from(s.withValue("db.password", "x", "test")); // flags and config make a whole report config
      }
    }
    String hadoopSubmit = steps.get(5).get("HadoopJarStep").get("Args").toString();
    assertTrue(hadoopSubmit.contains("s3a://bucket/silo-reports/silo-reports-shaded.jar"), "plain Hadoop reads s3a://");
    assertTrue(steps.get(3).get("HadoopJarStep").get("Args").toString().contains("db.password-secret-id=rds/silo-reports"));
    assertTrue(!steps.toString().contains("password="), "no password in a step: " + steps);
  }

  @Test
  void badReportConfsAreRefusedBeforeAnythingIsSubmitted() throws Exception {
    String out = python(String.join("\n",
        "import silo_reports_steps as s",
        "for conf in [{'job_id': '../x'}, {'job_id': 'r', 'colour': 'red'}, {'job_id': 'r', 'format': 'pdf'},",
        "             {'job_id': 'r', 'silos': '1;rm -rf'}, {}]:",
        "    try:",
        "        s.report_arguments(conf); print('ACCEPTED', conf)",
        "    except ValueError as e:",
        "        print('REFUSED', e)"));
    assertTrue(!out.contains("ACCEPTED"), out);
    assertEquals(5, out.lines().filter(l -> l.startsWith("REFUSED")).count(), out);
  }
}
