package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Setting;
import io.siloreports.config.Settings;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The environment of a report's child JVM (the local submitter): what a JVM, Spark, Hadoop and the AWS SDK read from
 * the system, and of this process's {@code SILO_REPORTS_*} settings those a report uses, never the secrets only the
 * service needs ({@code api.tokens}, {@code api.download-signing-key}, {@code notify.webhook.secret},
 * {@code worker.airflow.password}, and any undeclared secret that is not Spark's).
 */
final class ReportEnvironment {
  /** System variables passed on as they are. */
  static final Set<String> SYSTEM = Set.of("PATH", "JAVA_HOME", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ",
      "TMPDIR", "SPARK_HOME", "SPARK_CONF_DIR", "SPARK_LOCAL_IP", "SPARK_LOCAL_DIRS", "SPARK_LOG_DIR",
      "HADOOP_HOME", "HADOOP_CONF_DIR", "HADOOP_USER_NAME", "YARN_CONF_DIR",
      // the AWS SDK's default credential and region chain (S3 output, Secrets Manager references)
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
      "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
      "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
      "AWS_STS_REGIONAL_ENDPOINTS", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE",
      // a host that reaches S3 or its databases through a proxy
      "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy");

  /** The secrets a report reads: its job store, the aggregates' database, the S3 keys of its output. */
  static final Set<String> REPORT_SECRETS = Set.of(Keys.JOBSTORE_PASSWORD.key(), Keys.DB_PASSWORD.key(),
      Keys.REPORT_S3_ACCESS_KEY.key(), Keys.REPORT_S3_SECRET_KEY.key());

  private ReportEnvironment() {}

  /**
   * The child's environment from this process's ({@code inherited}) and the secrets set here by flags or in code
   * ({@code forwarded}, as {@code SILO_REPORTS_*} variables), each kept only when a report needs it.
   */
  static Map<String, String> of(Map<String, String> inherited, Map<String, String> forwarded) {
    Map<String, String> out = new TreeMap<>();
    inherited.forEach((name, value) -> {
      if (SYSTEM.contains(name) || name.startsWith("LC_") || name.startsWith(Settings.ENV_PREFIX) && reportNeeds(name)) {
        out.put(name, value);
      }
    });
    forwarded.forEach((name, value) -> {
      if (reportNeeds(name)) {
        out.put(name, value);
      }
    });
    return out;
  }

  /** A {@code SILO_REPORTS_*} variable a report may need: any setting but a secret that is not the report's. */
  static boolean reportNeeds(String envName) {
    String key = keyOf(envName);
    return !Keys.isSecret(key) || REPORT_SECRETS.contains(key) || key.startsWith("spark.");
  }

  private static String keyOf(String envName) {
    for (Setting<?> s : Keys.all()) {
      if (s.envName().equals(envName)) {
        return s.key();
      }
    }
    return envName.substring(Settings.ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }
}
