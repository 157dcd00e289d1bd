package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A report's child JVM gets what a report needs from the service's environment, never the service's secrets. */
class ReportEnvironmentTest {
  @Test
  void theServicesSecretsStayBehindAndTheReportsGoAlong() {
    Map<String, String> service = new TreeMap<>(Map.ofEntries(
        Map.entry("PATH", "/usr/bin"), Map.entry("JAVA_HOME", "/jdk"), Map.entry("LC_ALL", "C.UTF-8"),
        Map.entry("TMPDIR", "/tmp/x"), Map.entry("HADOOP_CONF_DIR", "/etc/hadoop"),
        Map.entry("AWS_ACCESS_KEY_ID", "AKIA1"), Map.entry("AWS_SECRET_ACCESS_KEY", "aws-s"),
        Map.entry("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"),
        Map.entry("SILO_REPORTS_CONFIG", "conf/local.properties"),
        Map.entry("SILO_REPORTS_JOBSTORE_URL", "jdbc:mysql://db/jobs"),
        Map.entry("SILO_REPORTS_JOBSTORE_PASSWORD", "js-pw"), Map.entry("SILO_REPORTS_DB_PASSWORD", "db-pw"),
        Map.entry("SILO_REPORTS_REPORT_S3_SECRET_KEY", "s3-s"),
        Map.entry("SILO_REPORTS_SPARK_HADOOP_FS_S3A_SECRET_KEY", "s3a-s"),
        // what only the service needs
        Map.entry("SILO_REPORTS_API_TOKENS", "alice:x"), Map.entry("SILO_REPORTS_NOTIFY_WEBHOOK_SECRET", "wh"),
        Map.entry("SILO_REPORTS_API_DOWNLOAD_SIGNING_KEY", "sk"),
        Map.entry("SILO_REPORTS_WORKER_AIRFLOW_PASSWORD", "af"),
        Map.entry("SILO_REPORTS_KAFKA_SASL_JAAS_CONFIG", "jaas"),
        // and what no report reads
        Map.entry("GITHUB_TOKEN", "gh"), Map.entry("DATABASE_URL", "postgres://u:p@h/d"), Map.entry("PWD", "/srv"),
        Map.entry("JAVA_TOOL_OPTIONS", "-javaagent:x.jar")));
    Map<String, String> forwarded = Map.of("SILO_REPORTS_JOBSTORE_PASSWORD", "js-pw-given",
        "SILO_REPORTS_API_TOKENS", "bob:y", "SILO_REPORTS_NOTIFY_WEBHOOK_SECRET", "wh2");

    Map<String, String> child = ReportEnvironment.of(service, forwarded);

    assertEquals(new TreeMap<>(Map.ofEntries(
        Map.entry("PATH", "/usr/bin"), Map.entry("JAVA_HOME", "/jdk"), Map.entry("LC_ALL", "C.UTF-8"),
        Map.entry("TMPDIR", "/tmp/x"), Map.entry("HADOOP_CONF_DIR", "/etc/hadoop"),
        Map.entry("AWS_ACCESS_KEY_ID", "AKIA1"), Map.entry("AWS_SECRET_ACCESS_KEY", "aws-s"),
        Map.entry("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"),
        Map.entry("SILO_REPORTS_CONFIG", "conf/local.properties"),
        Map.entry("SILO_REPORTS_JOBSTORE_URL", "jdbc:mysql://db/jobs"),
        Map.entry("SILO_REPORTS_JOBSTORE_PASSWORD", "js-pw-given"), Map.entry("SILO_REPORTS_DB_PASSWORD", "db-pw"),
        Map.entry("SILO_REPORTS_REPORT_S3_SECRET_KEY", "s3-s"),
        Map.entry("SILO_REPORTS_SPARK_HADOOP_FS_S3A_SECRET_KEY", "s3a-s"))), child);
  }
}
