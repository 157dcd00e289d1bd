package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.worker.schedule.ReportSchedule;
import io.siloreports.worker.submit.AirflowSubmitter;
import io.siloreports.worker.submit.EmrServerlessSubmitter;
import io.siloreports.worker.submit.EmrSubmitter;
import io.siloreports.worker.submit.LocalSubmitter;
import io.siloreports.worker.submit.WarmSubmitter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the report worker reads from configuration: the job store, how jobs run (one of {@code local},
 * {@code emr}, {@code emr-serverless}, {@code airflow}, or none of them), the timeouts, and its duties: schedules,
 * notifications, retention.
 *
 * @param local settings of {@code worker.submitter=local}, else null (likewise {@code emr}, {@code emrServerless},
 *     {@code airflow})
 * @param warm how the local submitter's warm runners start ({@code submit.local.warm}), else null
 * @param schedules {@code schedule.<name>.*}
 * @param schedulesSettingsWin whether those replace the stored schedules of the same name at start
 * @param notifyTargets {@code notify.targets}
 * @param webhookSecret null when webhooks are not configured
 * @param email null when email is not configured
 * @param emailRecipients {@code notify.email.allowed-domains}
 * @param reportAge null: reports are kept; {@code jobAge} likewise for job rows
 * @param readLinks what the links notifications carry are made of
 */
public record WorkerConfig(
    Jdbc jobStore,
    LocalSubmitter.Settings local,
    WarmSubmitter.Settings warm,
    EmrSubmitter.Settings emr,
    EmrServerlessSubmitter.Settings emrServerless,
    AirflowSubmitter.Settings airflow,
    int maxConcurrent,
    Duration pollInterval,
    Duration remotePollInterval,
    Duration pendingTimeout,
    Duration submittedTimeout,
    Duration processingTimeout,
    List<ReportSchedule> schedules,
    boolean schedulesSettingsWin,
    List<String> notifyTargets,
    String webhookSecret,
    int webhookAttempts,
    Duration webhookBackoff,
    Duration webhookTimeout,
    String snsRegion,
    String snsEndpoint,
    Duration notifyMaxAge,
    Email email,
    io.siloreports.reportjob.EmailRecipients emailRecipients,
    OutputConfig output,
    Duration reportAge,
    Duration jobAge,
    Duration retentionInterval,
    boolean migrateOnStart,
    ReadLinkSettings readLinks) {

  /**
   * The links notifications carry: the service's address ({@code api.public-url}; null: no links), the key that
   * signs them ({@code api.download-signing-key}; null: the service's random key, so only a worker inside the
   * service makes links) and their lifetime ({@code notify.link-ttl}).
   */
  public record ReadLinkSettings(String publicUrl, String signingKey, Duration ttl) {}

  /**
   * How email notifications are sent ({@code notify.email.*}): {@code smtp} set for SMTP, else SES in
   * {@code sesRegion} (null: the default chain) at {@code sesEndpoint} (null: SES's own).
   */
  public record Email(String from, io.siloreports.worker.notify.EmailNotifier.Smtp smtp, String sesRegion,
      String sesEndpoint, long maxAttachmentBytes) {
    static Email from(Settings s) {
      String transport = s.find(Keys.NOTIFY_EMAIL_TRANSPORT)
          .orElse(s.find(Keys.NOTIFY_EMAIL_SMTP_HOST).isPresent() ? "smtp" : "");
      return switch (transport.trim().toLowerCase(Locale.ROOT)) {
        case "" -> null;
        case "smtp" -> new Email(s.find(Keys.NOTIFY_EMAIL_FROM).orElse(null),
            new io.siloreports.worker.notify.EmailNotifier.Smtp(s.find(Keys.NOTIFY_EMAIL_SMTP_HOST).orElse(null),
                s.get(Keys.NOTIFY_EMAIL_SMTP_PORT), s.get(Keys.NOTIFY_EMAIL_SMTP_STARTTLS),
                s.find(Keys.NOTIFY_EMAIL_SMTP_USER).orElse(null), s.find(Keys.NOTIFY_EMAIL_SMTP_PASSWORD).orElse(null),
                s.get(Keys.NOTIFY_WEBHOOK_TIMEOUT)), null, null, s.get(Keys.NOTIFY_EMAIL_MAX_ATTACHMENT_BYTES));
        case "ses" -> new Email(s.find(Keys.NOTIFY_EMAIL_FROM).orElse(null), null,
            s.find(Keys.NOTIFY_EMAIL_SES_REGION).orElse(null), s.find(Keys.NOTIFY_EMAIL_SES_ENDPOINT).orElse(null),
            s.get(Keys.NOTIFY_EMAIL_MAX_ATTACHMENT_BYTES));
        default -> throw new IllegalArgumentException("notify.email.transport must be smtp or ses, got '"
            + transport + "'");
      };
    }
  }

  /** Email targets of {@code notify.targets} and of the schedules are checked at start: a wrong one is named now. */
  public WorkerConfig {
    for (String t : notifyTargets) {
      requireAllowed("notify.targets", t, emailRecipients);
    }
    for (ReportSchedule schedule : schedules) {
      for (String t : schedule.notifyTargets()) {
        requireAllowed("schedule." + schedule.name() + ".notify", t, emailRecipients);
      }
    }
  }

  private static void requireAllowed(String setting, String target,
      io.siloreports.reportjob.EmailRecipients recipients) {
    if (io.siloreports.reportjob.EmailRecipients.isEmail(target)) {
      try {
        recipients.require(io.siloreports.reportjob.EmailRecipients.address(target));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
      }
    }
  }

  /** {@code notify.targets}, comma-separated. */
  static List<String> notifyTargets(Settings s) {
    return io.siloreports.reportjob.ReportRequest.parseTargets(s.find(Keys.NOTIFY_TARGETS).orElse(null));
  }

  /** A report run gets its job id and request from the job row, never from the settings it inherits. */
  private static final Set<String> NOT_FORWARDED = Set.of(Keys.REPORT_JOB_ID.key(), Keys.REPORT_FROM.key(),
      Keys.REPORT_TO.key(), Keys.REPORT_SILOS.key(), Keys.REPORT_AS_OF.key(), Keys.REPORT_FORMAT.key());

  /** A report run logs like the service, whatever its environment: the Spark home's spark-submit reads this. */
  private static Map<String, String> withLogFormat(Map<String, String> env, Settings s) {
    Map<String, String> out = new LinkedHashMap<>(env);
    out.put(Keys.LOG_FORMAT.envName(), s.get(Keys.LOG_FORMAT));
    return Map.copyOf(out);
  }

  public static WorkerConfig from(Settings s) {
    String submitter = s.get(Keys.WORKER_SUBMITTER);
    LocalSubmitter.Settings local = null;
    WarmSubmitter.Settings warm = null;
    EmrSubmitter.Settings emr = null;
    EmrServerlessSubmitter.Settings emrServerless = null;
    AirflowSubmitter.Settings airflow = null;
    switch (submitter) {
      case "local" -> {
        Settings.Forwarding forwarding = s.forwarding(NOT_FORWARDED);
        local = new LocalSubmitter.Settings(
            Path.of(s.get(Keys.SUBMIT_LOCAL_SPARK_HOME)).toAbsolutePath().toString(),
            s.get(Keys.SUBMIT_LOCAL_APP_RESOURCE),
            s.get(Keys.SUBMIT_LOCAL_MASTER),
            s.get(Keys.SUBMIT_LOCAL_JAVA_OPTIONS),
            Path.of(s.get(Keys.SUBMIT_LOCAL_LOG_DIR)),
            forwarding.args(),
            ReportEnvironment.of(System.getenv(), withLogFormat(forwarding.env(), s)));
        if (s.get(Keys.SUBMIT_LOCAL_WARM)) {
          warm = new WarmSubmitter.Settings(
              ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                  .toString()),
              runnerJvmOptions(), WarmReportRunner.class.getName(), WarmReportRunner.MARK,
              s.get(Keys.SUBMIT_LOCAL_WARM_MAX_REPORTS));
        }
      }
      case "emr" -> emr = new EmrSubmitter.Settings(s.find(Keys.WORKER_EMR_CLUSTER_ID).orElse(null),
          s.find(Keys.WORKER_EMR_ARTIFACTS).orElse(null), s.find(Keys.WORKER_EMR_REGION).orElse(null),
          s.find(Keys.WORKER_EMR_ENDPOINT).orElse(null), secretIds(s), words(s.find(Keys.WORKER_EMR_SPARK_OPTIONS)));
      case "emr-serverless" -> emrServerless = new EmrServerlessSubmitter.Settings(
          s.find(Keys.WORKER_EMR_SERVERLESS_APPLICATION_ID).orElse(null),
          s.find(Keys.WORKER_EMR_SERVERLESS_EXECUTION_ROLE_ARN).orElse(null),
          s.find(Keys.WORKER_EMR_SERVERLESS_ARTIFACTS).orElse(null),
          s.find(Keys.WORKER_EMR_SERVERLESS_REGION).orElse(null),
          s.find(Keys.WORKER_EMR_SERVERLESS_ENDPOINT).orElse(null), secretIds(s),
          words(s.find(Keys.WORKER_EMR_SERVERLESS_SPARK_PARAMETERS)));
      case "airflow" -> airflow = new AirflowSubmitter.Settings(
          AirflowSubmitter.Api.valueOf(s.get(Keys.WORKER_AIRFLOW_API).toUpperCase(Locale.ROOT)),
          s.find(Keys.WORKER_AIRFLOW_URL).orElse(null), s.find(Keys.WORKER_AIRFLOW_API_PATH).orElse(null),
          s.get(Keys.WORKER_AIRFLOW_DAG_ID), s.find(Keys.WORKER_AIRFLOW_USER).orElse(null),
          s.find(Keys.WORKER_AIRFLOW_PASSWORD).orElse(null), s.find(Keys.WORKER_AIRFLOW_MWAA_ENVIRONMENT).orElse(null),
          s.find(Keys.WORKER_AIRFLOW_MWAA_REGION).orElse(null), s.find(Keys.WORKER_AIRFLOW_MWAA_ENDPOINT).orElse(null),
          Duration.ofSeconds(30));
      default -> { }
    }
    List<String> targets = notifyTargets(s);
    var emailRecipients =
        io.siloreports.reportjob.EmailRecipients.parse(s.find(Keys.NOTIFY_EMAIL_ALLOWED_DOMAINS).orElse(null));
    Map<String, String> scheduleKeys = new LinkedHashMap<>();
    s.withPrefix("schedule.").forEach((k, v) -> scheduleKeys.put(k.substring("schedule.".length()), v));
    return new WorkerConfig(
        Configs.jobStore(s),
        local,
        warm,
        emr,
        emrServerless,
        airflow,
        s.get(Keys.WORKER_MAX_CONCURRENT),
        s.get(Keys.WORKER_POLL_INTERVAL),
        s.get(Keys.WORKER_REMOTE_POLL_INTERVAL),
        s.get(Keys.WORKER_PENDING_TIMEOUT),
        s.get(Keys.WORKER_SUBMITTED_TIMEOUT),
        s.get(Keys.REPORT_PROCESSING_TIMEOUT),
        ReportSchedule.parse(scheduleKeys, Keys.WORKER_POLL_INTERVAL::parse),
        s.get(Keys.WORKER_SCHEDULES_SETTINGS_WIN),
        List.copyOf(targets),
        s.find(Keys.NOTIFY_WEBHOOK_SECRET).orElse(null),
        s.get(Keys.NOTIFY_WEBHOOK_ATTEMPTS),
        s.get(Keys.NOTIFY_WEBHOOK_BACKOFF),
        s.get(Keys.NOTIFY_WEBHOOK_TIMEOUT),
        s.find(Keys.NOTIFY_SNS_REGION).orElse(null),
        s.find(Keys.NOTIFY_SNS_ENDPOINT).orElse(null),
        s.get(Keys.NOTIFY_MAX_AGE),
        Email.from(s),
        emailRecipients,
        OutputConfig.from(s),
        s.find(Keys.RETENTION_REPORT_AGE).orElse(null),
        s.find(Keys.RETENTION_JOB_AGE).orElse(null),
        s.get(Keys.RETENTION_INTERVAL),
        s.get(Keys.DB_MIGRATE_ON_START),
        new ReadLinkSettings(s.find(Keys.API_PUBLIC_URL).orElse(null),
            s.find(Keys.API_DOWNLOAD_SIGNING_KEY).orElse(null), s.get(Keys.NOTIFY_LINK_TTL)));
  }

  /**
   * What a warm runner takes from this JVM's own options beside {@code submit.local.java-options}: the module openings
   * (a report's libraries need the same as the service's) and the log configuration, so its lines look like the
   * service's (text or JSON, {@code log.format}).
   */
  private static List<String> runnerJvmOptions() {
    List<String> options = new ArrayList<>();
    List<String> own = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (int i = 0; i < own.size(); i++) {
      String o = own.get(i);
      if ((o.equals("--add-opens") || o.equals("--add-exports")) && i + 1 < own.size()) {
        options.add(o);
        options.add(own.get(++i));
      } else if (o.startsWith("--add-opens=") || o.startsWith("--add-exports=")
          || o.startsWith("-Dlog4j2.configurationFile=") || o.startsWith("-Dlog4j.configurationFile=")) {
        options.add(o);
      }
    }
    return List.copyOf(options);
  }

  /** A run on a cluster gets the passwords' secret ids, never the passwords (it reads them itself). */
  private static Map<String, String> secretIds(Settings s) {
    Map<String, String> ids = new LinkedHashMap<>();
    s.find(Keys.DB_PASSWORD_SECRET_ID).ifPresent(v -> ids.put("db", v));
    s.find(Keys.JOBSTORE_PASSWORD_SECRET_ID).ifPresent(v -> ids.put("jobstore", v));
    return ids;
  }

  /** Space-separated spark-submit words. */
  private static List<String> words(Optional<String> value) {
    List<String> words = new ArrayList<>();
    for (String w : value.orElse("").trim().split("\\s+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return List.copyOf(words);
  }
}
