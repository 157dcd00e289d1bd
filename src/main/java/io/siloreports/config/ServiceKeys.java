package io.siloreports.config;

import java.time.Duration;

/**
 * The settings of the report service: the HTTP {@code api}, the {@code worker} that submits, notifies and applies
 * retention. Read them as {@code Keys.X}: {@link Keys} explains why they are declared here.
 */
interface ServiceKeys {
  SettingGroup REPORT_SERVICE = new SettingGroup("Report service (api, worker)");

  Setting<String> API_BIND = REPORT_SERVICE.text("api.bind", "127.0.0.1",
      "address the HTTP service listens on (`0.0.0.0`: every interface; see docs/service.md, Facing a network)");
  Setting<Integer> API_PORT = REPORT_SERVICE.integer("api.port", "8080", "port of the HTTP service");
  Setting<String> API_PUBLIC_URL = REPORT_SERVICE.text("api.public-url", null,
      "the service's address as browsers reach it, for download links of local reports (default"
          + " `http://<api.bind>:<api.port>`) and the links notifications carry (unset: none, docs/service.md)");
  Setting<String> API_TOKENS = REPORT_SERVICE.secret("api.tokens",
      "bearer tokens as `name:token,name2:sha256:<64 hex>` (from the environment: `SILO_REPORTS_API_TOKENS`): tokens"
          + " of at least 32 characters, or their SHA-256 (`silo-reports token new <name>` makes both), each name"
          + " once; the name is stored as who asked for a job");
  Setting<String> API_TRUSTED_PROXIES = REPORT_SERVICE.text("api.trusted-proxies", null,
      "reverse proxies (addresses, CIDR blocks, comma-separated) whose `X-Forwarded-For` names the client; from"
          + " anyone else the socket's peer is the client");
  Setting<Integer> API_AUTH_MAX_FAILURES = REPORT_SERVICE.integer("api.auth.max-failures", "10",
      "failed authentications a client address may make in `api.auth.failure-window`; beyond, 429 until it ends");
  Setting<Duration> API_AUTH_FAILURE_WINDOW = REPORT_SERVICE.duration("api.auth.failure-window", "1m",
      "the window failed authentications are counted in");
  Setting<Integer> API_QUOTA_PENDING_PER_TOKEN = REPORT_SERVICE.integer("api.quota.pending-per-token", "20",
      "unfinished jobs (PENDING, SUBMITTED, PROCESSING) one token may have; beyond, creating one is a 429");
  Setting<Integer> API_QUOTA_PENDING_TOTAL = REPORT_SERVICE.integer("api.quota.pending-total", "200",
      "unfinished jobs of all tokens together; beyond, creating one is a 429");
  Setting<Integer> API_THREADS = REPORT_SERVICE.integer("api.threads", "16",
      "threads kept serving HTTP requests; more are started while connections need them, up to"
          + " `api.max-connections`");
  Setting<Integer> API_MAX_CONNECTIONS = REPORT_SERVICE.integer("api.max-connections", "1000",
      "open connections the service accepts; more are closed at once (one JVM: the first service's limits apply)");
  Setting<Duration> API_REQUEST_TIMEOUT = REPORT_SERVICE.duration("api.request-timeout", "20s",
      "a connection that has not sent its whole request (line, headers, body) this long after its first byte is"
          + " closed; whole seconds");
  Setting<Duration> API_RESPONSE_TIMEOUT = REPORT_SERVICE.duration("api.response-timeout", "5m",
      "a connection whose answer (a download included) is not written this long after its request is closed;"
          + " whole seconds");
  Setting<Duration> API_IDLE_TIMEOUT = REPORT_SERVICE.duration("api.idle-timeout", "75s",
      "a kept-alive connection waiting this long for its next request is closed (keep it above a load balancer's"
          + " idle timeout: ALB's is 60s)");
  Setting<String> API_TLS_CERTIFICATE = REPORT_SERVICE.text("api.tls.certificate", null,
      "PEM file of the service's X.509 certificate chain (its own first): with `api.tls.private-key`, the service"
          + " speaks HTTPS only");
  Setting<String> API_TLS_PRIVATE_KEY = REPORT_SERVICE.text("api.tls.private-key", null,
      "PEM file of the certificate's unencrypted PKCS#8 private key (`BEGIN PRIVATE KEY`, RSA or EC)");
  Setting<String> API_TLS_KEYSTORE = REPORT_SERVICE.text("api.tls.keystore", null,
      "PKCS12 file of the service's key and certificate chain, instead of the PEM files");
  Setting<String> API_TLS_KEYSTORE_PASSWORD = REPORT_SERVICE.secret("api.tls.keystore-password",
      "password of `api.tls.keystore` (from the environment: `SILO_REPORTS_API_TLS_KEYSTORE_PASSWORD`)");
  Setting<Duration> API_TLS_HSTS_MAX_AGE = REPORT_SERVICE.duration("api.tls.hsts-max-age", "365d",
      "`Strict-Transport-Security` max-age sent while the service speaks TLS (`0s`: none)");
  Setting<String> API_CORS_ALLOWED_ORIGINS = REPORT_SERVICE.text("api.cors.allowed-origins", null,
      "origins (`https://app.example.com:8443`, comma-separated, exact) whose pages may call the API with a bearer"
          + " token; none by default");
  Setting<String> API_ACCESS_LOG = REPORT_SERVICE.choice("api.access-log", "errors",
      "which requests get an access log line at INFO (method, path, status, ms, token name, client address, request"
          + " id): `all`; `errors`, the lines a person acts on (4xx, 5xx, slower than `api.access-log.slow`), the"
          + " rest at DEBUG; `off`. `errors` by default: at 1,000 requests a second one line each is 60,000 a minute"
          + " that bury the few that matter", "all", "errors", "off");
  Setting<Duration> API_ACCESS_LOG_SLOW = REPORT_SERVICE.duration("api.access-log.slow", "1s",
      "a request that takes this long or longer is logged under `api.access-log=errors` as if it had failed");
  Setting<String> LOG_FORMAT = REPORT_SERVICE.choice("log.format", "text",
      "log lines as text (`conf/log4j2.properties`) or JSON objects (`conf/log4j2-json.properties`); log4j is set up"
          + " before any setting is read, so the launch scripts read it from `SILO_REPORTS_LOG_FORMAT`; the worker"
          + " hands it to the report runs it starts", "text", "json");
  Setting<Boolean> API_WORKER = REPORT_SERVICE.bool("api.worker", "true",
      "`api` also runs the worker that submits PENDING jobs (false: run `worker` separately, or none)");
  Setting<Duration> API_HEALTH_MAX_COMMIT_AGE = REPORT_SERVICE.duration("api.health.max-commit-age", "15m",
      "`/api/health` answers 503 when a pipeline has not committed a batch for this long");
  Setting<Duration> API_PAGE_POLL_INTERVAL = REPORT_SERVICE.duration("api.page.poll-interval", "5s",
      "how often the page asks for its job's status");
  Setting<Duration> API_PAGE_POLL_MAX = REPORT_SERVICE.duration("api.page.poll-max", "15m",
      "the page stops asking after this long (the job's status stays on the list)");
  Setting<String> API_DOWNLOAD_SIGNING_KEY = REPORT_SERVICE.secret("api.download-signing-key",
      "key that signs download links of local reports and notifications' links; default a random key per start"
          + " (a `worker` apart from the service needs it to send links)");
  Setting<Boolean> API_METRICS_PUBLIC = REPORT_SERVICE.bool("api.metrics.public", "false",
      "serve `/metrics` (Prometheus, docs/metrics.md) without a bearer token; default it needs one like the API");
  Setting<String> WORKER_SUBMITTER = REPORT_SERVICE.choice("worker.submitter", "local",
      "how the worker runs a job: a child JVM per report through Spark's launcher, an EMR step (`worker.emr.*`), an"
          + " EMR Serverless job run (`worker.emr-serverless.*`), an Airflow DAG run (`worker.airflow.*`), or none"
          + " (something else runs the jobs; the worker only times them out, creates scheduled jobs, notifies and"
          + " applies retention)", "local", "emr", "emr-serverless", "airflow", "none");
  Setting<Duration> WORKER_REMOTE_POLL_INTERVAL = REPORT_SERVICE.duration("worker.remote-poll-interval", "30s",
      "how often the worker asks EMR, EMR Serverless or Airflow how its runs are doing");
  Setting<String> WORKER_EMR_CLUSTER_ID = REPORT_SERVICE.text("worker.emr.cluster-id", null,
      "the EMR cluster (j-...) report steps are added to");
  Setting<String> WORKER_EMR_ARTIFACTS = REPORT_SERVICE.text("worker.emr.artifacts", null,
      "s3://bucket/prefix holding silo-reports-shaded.jar and emr.properties (as deploy/emr uploads them)");
  Setting<String> WORKER_EMR_REGION = REPORT_SERVICE.text("worker.emr.region", null,
      "region of the EMR API; default the AWS default region chain");
  Setting<String> WORKER_EMR_ENDPOINT = REPORT_SERVICE.text("worker.emr.endpoint", null,
      "endpoint of an EMR-compatible API (VPC endpoints, tests)");
  Setting<String> WORKER_EMR_SPARK_OPTIONS = REPORT_SERVICE.text("worker.emr.spark-options", null,
      "more spark-submit options of each report step, space-separated (`--driver-memory 4g`)");
  Setting<String> WORKER_AIRFLOW_API = REPORT_SERVICE.choice("worker.airflow.api", "v1",
      "which Airflow API the worker speaks: Airflow 2's stable REST API (`/api/v1`, basic authentication), Airflow"
          + " 3's (`/api/v2`, a JWT from `/auth/token`), or Amazon MWAA's InvokeRestApi (AWS credentials; the"
          + " environment's Airflow version decides the rest)", "v1", "v2", "mwaa");
  Setting<String> WORKER_EMR_SERVERLESS_APPLICATION_ID = REPORT_SERVICE.text("worker.emr-serverless.application-id",
      null, "the EMR Serverless application (type SPARK, deploy/emr-serverless/application.json) reports run on");
  Setting<String> WORKER_EMR_SERVERLESS_EXECUTION_ROLE_ARN = REPORT_SERVICE.text(
      "worker.emr-serverless.execution-role-arn", null,
      "the IAM role each report's job run works as (deploy/emr-serverless/iam/job-role-*.json)");
  Setting<String> WORKER_EMR_SERVERLESS_ARTIFACTS = REPORT_SERVICE.text("worker.emr-serverless.artifacts", null,
      "s3://bucket/prefix holding silo-reports-shaded.jar (the entry point) and emr.properties (the run's settings)");
  Setting<String> WORKER_EMR_SERVERLESS_REGION = REPORT_SERVICE.text("worker.emr-serverless.region", null,
      "region of the EMR Serverless API; default the AWS default region chain");
  Setting<String> WORKER_EMR_SERVERLESS_ENDPOINT = REPORT_SERVICE.text("worker.emr-serverless.endpoint", null,
      "endpoint of an EMR Serverless-compatible API (VPC endpoints, tests)");
  Setting<String> WORKER_EMR_SERVERLESS_SPARK_PARAMETERS = REPORT_SERVICE.text(
      "worker.emr-serverless.spark-parameters", null,
      "more spark-submit parameters of each job run, space-separated (`--conf spark.driver.memory=4g`)");
  Setting<String> WORKER_AIRFLOW_URL = REPORT_SERVICE.text("worker.airflow.url", null,
      "base URL of the Airflow webserver (v1) or API server (v2) whose REST API triggers the report DAG");
  Setting<String> WORKER_AIRFLOW_API_PATH = REPORT_SERVICE.text("worker.airflow.api-path", null,
      "path of Airflow's REST API under the URL; default `/api/v1` (v1) or `/api/v2` (v2)");
  Setting<String> WORKER_AIRFLOW_DAG_ID = REPORT_SERVICE.text("worker.airflow.dag-id", "silo_reports_report",
      "the DAG a report runs as (deploy/airflow/silo_reports_dag.py)");
  Setting<String> WORKER_AIRFLOW_USER = REPORT_SERVICE.text("worker.airflow.user", null,
      "user of Airflow's API (v1: basic authentication; v2: exchanged for a JWT at `/auth/token`)");
  Setting<String> WORKER_AIRFLOW_PASSWORD = REPORT_SERVICE.secret("worker.airflow.password",
      "its password (from the environment: `SILO_REPORTS_WORKER_AIRFLOW_PASSWORD`)");
  Setting<String> WORKER_AIRFLOW_MWAA_ENVIRONMENT = REPORT_SERVICE.text("worker.airflow.mwaa.environment", null,
      "the Amazon MWAA environment whose Airflow runs the reports (`worker.airflow.api=mwaa`)");
  Setting<String> WORKER_AIRFLOW_MWAA_REGION = REPORT_SERVICE.text("worker.airflow.mwaa.region", null,
      "region of the MWAA environment; default the AWS default region chain");
  Setting<String> WORKER_AIRFLOW_MWAA_ENDPOINT = REPORT_SERVICE.text("worker.airflow.mwaa.endpoint", null,
      "endpoint of an MWAA-compatible API for both its `api.` and `env.` calls (VPC endpoints, tests); default"
          + " MWAA's own in the region");
  Setting<String> NOTIFY_TARGETS = REPORT_SERVICE.text("notify.targets", null,
      "where every finished job is announced unless its request says otherwise: webhook URLs (`https://...`), Slack"
          + " and Teams incoming webhooks (`slack:https://hooks.slack.com/...`, `teams:https://...`), SNS topic ARNs"
          + " and `mailto:` addresses, comma-separated");
  Setting<String> NOTIFY_WEBHOOK_SECRET = REPORT_SERVICE.secret("notify.webhook.secret",
      "key of the HMAC-SHA256 signature of webhook notifications (from the environment:"
          + " `SILO_REPORTS_NOTIFY_WEBHOOK_SECRET`)");
  Setting<Integer> NOTIFY_WEBHOOK_ATTEMPTS = REPORT_SERVICE.integer("notify.webhook.attempts", "4",
      "tries of a webhook before it is given up (recorded in the job's history)");
  Setting<Duration> NOTIFY_WEBHOOK_BACKOFF = REPORT_SERVICE.duration("notify.webhook.backoff", "2s",
      "pause after a webhook's first failed try, doubling after each");
  Setting<Duration> NOTIFY_WEBHOOK_TIMEOUT = REPORT_SERVICE.duration("notify.webhook.timeout", "10s",
      "connect and answer timeout of a webhook call");
  Setting<String> NOTIFY_SNS_REGION = REPORT_SERVICE.text("notify.sns.region", null,
      "region of SNS; default the topic ARN's");
  Setting<String> NOTIFY_SNS_ENDPOINT = REPORT_SERVICE.text("notify.sns.endpoint", null,
      "endpoint of an SNS-compatible API (VPC endpoints, tests)");
  Setting<String> NOTIFY_EMAIL_ALLOWED_DOMAINS = REPORT_SERVICE.text("notify.email.allowed-domains", null,
      "the only domains email notifications go to (comma-separated, e.g. `example.com`); a request or schedule naming"
          + " another is refused; unset: no email");
  Setting<String> NOTIFY_EMAIL_FROM = REPORT_SERVICE.text("notify.email.from", null,
      "sender address of email notifications");
  Setting<String> NOTIFY_EMAIL_TRANSPORT = REPORT_SERVICE.text("notify.email.transport", null,
      "how email notifications are sent: `smtp` (`notify.email.smtp.*`) or `ses` (Amazon SES v2,"
          + " `notify.email.ses.*`); unset: `smtp` when `notify.email.smtp.host` is set, else no email");
  Setting<String> NOTIFY_EMAIL_SES_REGION = REPORT_SERVICE.text("notify.email.ses.region", null,
      "region of SES; default the AWS default region chain");
  Setting<String> NOTIFY_EMAIL_SES_ENDPOINT = REPORT_SERVICE.text("notify.email.ses.endpoint", null,
      "endpoint of an SES v2-compatible API (VPC endpoints, tests)");
  Setting<String> NOTIFY_EMAIL_SMTP_HOST = REPORT_SERVICE.text("notify.email.smtp.host", null,
      "SMTP server email notifications are sent through");
  Setting<Integer> NOTIFY_EMAIL_SMTP_PORT = REPORT_SERVICE.integer("notify.email.smtp.port", "587",
      "its port");
  Setting<Boolean> NOTIFY_EMAIL_SMTP_STARTTLS = REPORT_SERVICE.bool("notify.email.smtp.starttls", "true",
      "require STARTTLS before authenticating and sending (false only for a relay on the same host or a test)");
  Setting<String> NOTIFY_EMAIL_SMTP_USER = REPORT_SERVICE.text("notify.email.smtp.user", null,
      "SMTP user; unset: no authentication");
  Setting<String> NOTIFY_EMAIL_SMTP_PASSWORD = REPORT_SERVICE.secret("notify.email.smtp.password",
      "its password (from the environment: `SILO_REPORTS_NOTIFY_EMAIL_SMTP_PASSWORD`)");
  Setting<Long> NOTIFY_EMAIL_MAX_ATTACHMENT_BYTES = REPORT_SERVICE.longValue("notify.email.max-attachment-bytes",
      "7340032", "the largest report an email carries as an attachment when asked (`notify.attach`, a schedule's"
          + " `attach`); a larger one is linked and the email says so. Base64 makes the message about 4/3 of the file:"
          + " 7 MiB stays under the 10 MB many mail servers accept (SES takes 40 MB)");
  Setting<Duration> NOTIFY_MAX_AGE = REPORT_SERVICE.duration("notify.max-age", "1d",
      "a job that finished longer ago than this when a worker first sees it is not announced");
  Setting<Duration> NOTIFY_LINK_TTL = REPORT_SERVICE.duration("notify.link-ttl", "7d",
      "how long the link a notification carries (`<api.public-url>/r/<jobId>`, signed with"
          + " `api.download-signing-key`) works; each click signs a fresh download");
  Setting<Duration> RETENTION_REPORT_AGE = REPORT_SERVICE.duration("retention.report-age", null,
      "reports finished longer ago are deleted from the output and their jobs EXPIRED; unset: kept");
  Setting<Duration> RETENTION_JOB_AGE = REPORT_SERVICE.duration("retention.job-age", null,
      "ended jobs (and their history) last changed longer ago are deleted; unset: kept");
  Setting<Duration> RETENTION_INTERVAL = REPORT_SERVICE.duration("retention.interval", "10m",
      "how often the worker applies retention");
  Setting<Integer> WORKER_MAX_CONCURRENT = REPORT_SERVICE.integer("worker.max-concurrent", "2",
      "reports a worker runs at the same time");
  Setting<Boolean> WORKER_SCHEDULES_SETTINGS_WIN = REPORT_SERVICE.bool("worker.schedules.settings-win", "true",
      "at start, a schedule.<name>.* schedule replaces the stored one of that name (false: only new names are"
      + " added, the API's edits are kept)");
  Setting<Duration> WORKER_POLL_INTERVAL = REPORT_SERVICE.duration("worker.poll-interval", "2s",
      "how often the worker looks for PENDING jobs");
  Setting<Duration> WORKER_PENDING_TIMEOUT = REPORT_SERVICE.duration("worker.pending-timeout", "30m",
      "a job PENDING longer than this ends FAILED (nothing took it)");
  Setting<Duration> WORKER_SUBMITTED_TIMEOUT = REPORT_SERVICE.duration("worker.submitted-timeout", "10m",
      "a job SUBMITTED longer than this without starting ends FAILED");
  Setting<String> SUBMIT_LOCAL_SPARK_HOME = REPORT_SERVICE.text("submit.local.spark-home", "jobs/spark-home",
      "the Spark home whose `bin/spark-submit` the local submitter runs (the bundled one runs Spark from this"
          + " build's classpath; set `$SPARK_HOME` of an installed Spark instead)");
  Setting<String> SUBMIT_LOCAL_APP_RESOURCE = REPORT_SERVICE.text("submit.local.app-resource", "spark-internal",
      "the application jar given to spark-submit: `spark-internal` when the classes are on the classpath (the"
          + " bundled Spark home), else the shaded jar");
  Setting<String> SUBMIT_LOCAL_MASTER = REPORT_SERVICE.text("submit.local.master", "local[2]",
      "Spark master of a locally submitted report");
  Setting<String> SUBMIT_LOCAL_JAVA_OPTIONS = REPORT_SERVICE.text("submit.local.java-options", "-Xmx1g",
      "JVM options of a locally submitted report");
  Setting<String> SUBMIT_LOCAL_LOG_DIR = REPORT_SERVICE.text("submit.local.log-dir", "data/report-logs",
      "where the output of each locally submitted report goes (`<job id>.log`)");
  Setting<Boolean> SUBMIT_LOCAL_WARM = REPORT_SERVICE.bool("submit.local.warm", "true",
      "run reports that need no Spark in a warm runner (a child JVM the worker keeps, with the same JVM options and"
          + " environment) instead of a spark-submit each; a report that turns out to need Spark is handed to"
          + " spark-submit");
  Setting<Integer> SUBMIT_LOCAL_WARM_MAX_REPORTS = REPORT_SERVICE.integer("submit.local.warm.max-reports", "50",
      "a warm runner is replaced after this many reports (it is also replaced when it dies, is stopped, or its heap"
          + " stays over 80% after a report)");
}
