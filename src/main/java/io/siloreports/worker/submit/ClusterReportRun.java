package io.siloreports.worker.submit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a report run on a cluster (an EMR step, an EMR Serverless job run) is given, as
 * {@code deploy/silo_reports_steps.py} builds it for {@code add-steps.sh} and the Airflow DAGs: the shaded jar and the
 * properties file under one artifacts prefix, and the arguments after the jar. Passwords go by reference only
 * ({@code --conf db.password-secret-id=...}): the run reads them from Secrets Manager itself, so nothing secret is
 * stored with a step or a job run, where the service would keep and show it.
 */
final class ClusterReportRun {
  static final String MAIN_CLASS = "io.siloreports.cli.Main";
  static final String JAR = "silo-reports-shaded.jar";
  static final String CONFIG = "emr.properties";
  /** Reports are computed in UTC whatever the cluster's default (as silo_reports_steps.spark_conf says). */
  static final String UTC_SESSIONS = "spark.sql.session.timeZone=UTC";

  private ClusterReportRun() {}

  /** Fails, naming the setting, unless {@code artifacts} is an {@code s3://} prefix. */
  static void requireArtifacts(String submitter, String setting, String artifacts) {
    if (artifacts == null || !artifacts.startsWith("s3://")) {
      throw new IllegalArgumentException("worker.submitter=" + submitter + " needs " + setting + ": the"
          + " s3://bucket/prefix of " + JAR + " and " + CONFIG + ", got '" + artifacts + "'");
    }
  }

  /** {@code <artifacts>/<name>}, with or without a trailing slash on the prefix. */
  static String artifact(String artifacts, String name) {
    return artifacts.replaceAll("/+$", "") + "/" + name;
  }

  /**
   * The arguments after the jar, as silo_reports_steps.job_arguments builds them: {@code report --config
   * emr.properties}, each password's secret id, {@code --job-id <id>}. The run reads the rest of its request from the
   * job row.
   */
  static List<String> jobArguments(String jobId, Map<String, String> secretIds) {
    List<String> args = new ArrayList<>(List.of("report", "--config", CONFIG));
    new TreeMap<>(secretIds).forEach((k, v) -> {
      if (v != null && !v.isBlank()) {
        args.addAll(List.of("--conf", k + ".password-secret-id=" + v));
      }
    });
    args.addAll(List.of("--job-id", jobId));
    return args;
  }
}
