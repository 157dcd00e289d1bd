package io.siloreports.config;

import io.siloreports.config.Setting.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of every command, declared once: key, type, default, one-line doc, secret or not. The defaults
 * layer of {@link Settings}, the {@code SILO_REPORTS_<KEY>} environment variables, each command's {@code --help}
 * and the table in {@code docs/configuration.md} (checked by a test) are made from these declarations. Keys
 * under a {@link Family} prefix ({@code spark.*}, {@code kafka.*}, ...) are passed through to Spark or Kafka.
 */
public final class Keys {
  /** A group of settings, a heading in the docs' table. */
  public record Group(String title, List<Setting<?>> settings) {}

  /** Keys under a prefix that are passed through to another component; declared once as a family. */
  public record Family(String prefix, String doc) {}

  private static final Map<String, Setting<?>> BY_KEY = new LinkedHashMap<>();
  private static final List<Group> GROUPS = new ArrayList<>();
  private static List<Setting<?>> group;

  private Keys() {}

  // ---- where things are
  static {
    group("Where data lives");
  }

  public static final Setting<String> INPUT_DIR = text("input.dir", "data/input",
      "raw input: `<dir>/silo-readings/`, `<dir>/activity-events/` (local, HDFS or s3a)");
  public static final Setting<String> WAREHOUSE_DIR = text("warehouse.dir", "data/warehouse",
      "Parquet aggregates, quarantine and progress (`sink.type=parquet`)");
  public static final Setting<String> CHECKPOINT_DIR = text("checkpoint.dir", "data/checkpoints",
      "Spark checkpoints of the stream, one directory per pipeline");
  public static final Setting<String> REPORT_OUTPUT_DIR = text("report.output-dir", "data/output",
      "where workbooks go: a local directory, or `s3://bucket/prefix` (`s3a://` too); the file is"
          + " `<dir>/reports/<jobId>/silo_data_report.xlsx`");
  public static final Setting<String> JOBSTORE_URL = text("jobstore.url", "jdbc:sqlite:data/jobstore.db",
      "the `report_jobs` database: `jdbc:sqlite:FILE` or a MySQL URL (`${db.url}` shares the aggregates database)");
  public static final Setting<String> JOBSTORE_USER = text("jobstore.user", null, "user of the job store database");
  public static final Setting<String> JOBSTORE_PASSWORD = secret("jobstore.password",
      "password of the job store database (from the environment: `SILO_REPORTS_JOBSTORE_PASSWORD`)");
  public static final Setting<String> JOBSTORE_PASSWORD_SECRET_ID = text("jobstore.password-secret-id", null,
      "an AWS Secrets Manager secret (name or ARN) holding `jobstore.password`, read by the job itself at start");

  // ---- raw input
  static {
    group("Raw input");
  }

  public static final Setting<String> SOURCE_TYPE = choice("source.type", "files",
      "where the stream reads raw records: a directory per pipeline under `input.dir`, Kafka topics, or (readings"
          + " only) the MySQL raw table of `source.mysql.*` in the `db.*` database, read by its increasing id",
      "files", "kafka", "mysql");
  public static final Setting<String> KAFKA_BOOTSTRAP_SERVERS = text("kafka.bootstrap.servers", null,
      "Kafka brokers (`source.type=kafka`, `produce`); every other `kafka.*` key is a client setting too");
  public static final Setting<String> SOURCE_KAFKA_TOPIC_READINGS = text("source.kafka.topic.silo-readings",
      "silo-readings", "Kafka topic of the readings");
  public static final Setting<String> SOURCE_KAFKA_TOPIC_EVENTS = text("source.kafka.topic.activity-events",
      "activity-events", "Kafka topic of the activity events");
  public static final Setting<String> SOURCE_KAFKA_STARTING_OFFSETS = text("source.kafka.startingOffsets", "earliest",
      "where a new checkpoint starts reading a topic (Spark's Kafka option)");
  public static final Setting<String> SOURCE_MYSQL_TABLE = text("source.mysql.table", "silo_readings",
      "the MySQL raw table of readings (`table` or `database.table`), for `source.type=mysql` and"
          + " `report.hot-source=mysql`");
  public static final Setting<String> SOURCE_MYSQL_ID_COLUMN = text("source.mysql.id-column", "id",
      "its increasing id (auto-increment), which the stream reads it by");
  public static final Setting<String> SOURCE_MYSQL_SILO_COLUMN = text("source.mysql.silo-column", "silo_id",
      "its silo id column");
  public static final Setting<String> SOURCE_MYSQL_TS_COLUMN = text("source.mysql.ts-column", "ts",
      "its timestamp column (DATETIME holding UTC, or TIMESTAMP)");
  public static final Setting<String> SOURCE_MYSQL_VALUE_COLUMN = text("source.mysql.value-column", "value",
      "its value column");
  public static final Setting<Integer> SOURCE_MYSQL_MAX_ROWS = integer("source.mysql.max-rows-per-batch", "100000",
      "new ids per micro-batch at most");
  public static final Setting<Duration> SOURCE_MYSQL_GAP_TIMEOUT = duration("source.mysql.gap-timeout", "10m",
      "an id missing below the highest one read (its insert not committed yet) is read again until it appears or"
          + " has been missing this long (rolled back)");

  // ---- aggregates
  static {
    group("Aggregates");
  }

  public static final Setting<String> SINK_TYPE = choice("sink.type", "parquet",
      "where aggregates, quarantine and progress live: Parquet under `warehouse.dir`, or MySQL (`db.*`)",
      "parquet", "mysql");
  public static final Setting<Integer> PARQUET_COMPACT_EVERY = integer("sink.parquet.compact-every", "100",
      "Parquet: merge the committed micro-batch directories into one file set every N batches (0: never)");
  public static final Setting<Long> PARQUET_DIRECT_READ_MAX_ROWS = longValue("sink.parquet.direct-read-max-rows",
      "1000000", "Parquet: a report reads the hourly aggregates without Spark while the store holds at most this many"
          + " partial rows (faster for small stores); above it, Spark reads them in parallel");
  public static final Setting<String> DB_URL = text("db.url", null,
      "MySQL/MariaDB JDBC URL of the aggregates (`sink.type=mysql`, `report.hot-source=mysql`)");
  public static final Setting<String> DB_USER = text("db.user", null, "MySQL user");
  public static final Setting<String> DB_PASSWORD = secret("db.password",
      "MySQL password (from the environment: `SILO_REPORTS_DB_PASSWORD`)");
  public static final Setting<String> DB_PASSWORD_SECRET_ID = text("db.password-secret-id", null,
      "an AWS Secrets Manager secret (name or ARN; a plain text or JSON with `password`, as RDS writes it) holding"
          + " `db.password`, read by the job itself at start: no password in a step, a DAG or an argument list");
  public static final Setting<String> SECRETS_REGION = text("secrets.region", null,
      "region of Secrets Manager; default the AWS default region chain");
  public static final Setting<String> SECRETS_ENDPOINT = text("secrets.endpoint", null,
      "endpoint of a Secrets Manager-compatible service (tests, VPC endpoints)");
  public static final Setting<Boolean> DB_MIGRATE_ON_START = bool("db.migrate-on-start", "false",
      "jobs apply pending schema migrations to the databases they use; when false they check the schema version"
          + " and stop with a message naming `migrate`");

  // ---- stream
  static {
    group("Stream");
  }

  public static final Setting<String> STREAM_TRIGGER = text("stream.trigger", "available-now",
      "`available-now` (process what has arrived, then stop) or an interval (`30s`, `1m`) to run until stopped");
  public static final Setting<Duration> STREAM_ALLOWED_LATENESS = duration("stream.allowed-lateness", "30m",
      "an hour is final once the largest event time seen is this far past its end; a reading for a final hour is"
          + " late, and merged into it like any other");
  public static final Setting<Duration> STREAM_STORE_OUTAGE_TOLERANCE = duration("stream.store-outage-tolerance",
      "10m", "how long a micro-batch waits out an unreachable MySQL or a full disk under the warehouse directory"
          + " (retrying with backoff, then going on by itself) before the stream stops with the reason; 0s: stop at"
          + " once");
  public static final Setting<Duration> STREAM_MAX_REVISION_AGE = duration("stream.max-revision-age", "7d",
      "hours more than this before the largest event time seen are closed: a reading for them is too late, kept in"
          + " the quarantine (kind `too_late`) and counted, not merged (a backfill of its hours takes it in)");
  public static final Setting<String> STREAM_PIPELINES = text("stream.pipelines", "silo-readings,activity-events",
      "the pipelines the stream runs");

  // ---- validation
  static {
    group("Validation (bad records)");
  }

  public static final Setting<Instant> VALIDATION_EARLIEST = instant("validation.earliest-timestamp",
      "2000-01-01T00:00:00Z", "records stamped before this are bad records");
  public static final Setting<Duration> VALIDATION_MAX_FUTURE_SKEW = duration("validation.max-future-skew", "1h",
      "records stamped further than this after processing time are bad records");
  public static final Setting<String> VALIDATION_MAX_ABS_VALUE = text("validation.max-abs-value", "1E10",
      "readings must satisfy |value| < this (the stored type is DECIMAL(12,2))");
  public static final Setting<Integer> VALIDATION_MAX_ACCOUNT_ID_LENGTH = integer("validation.max-account-id-length",
      "128", "events whose account_id is longer (in characters) are bad records (the stored type is VARCHAR(128))");

  // ---- report
  static {
    group("Report");
  }

  public static final Setting<String> REPORT_JOB_ID = text("report.job-id", null,
      "`--job-id`: the `report_jobs` row the run processes (created when missing)");
  public static final Setting<Instant> REPORT_FROM = instant("report.from", null,
      "`--from`: first hour; default `to` minus `report.default-days`");
  public static final Setting<Instant> REPORT_TO = instant("report.to", null,
      "`--to`: end of the range (exclusive); default the end of the cut-off's hour");
  public static final Setting<String> REPORT_SILOS = text("report.silos", null,
      "`--silos`: silos to report (`1,3-5`); default every silo with data in the range");
  public static final Setting<String> REPORT_FORMAT = choice("report.format", null,
      "`--format`: an Excel workbook, or a zip of CSV files (one per silo and a summary, the same numbers); default"
          + " the job's, else xlsx", "xlsx", "csv");
  public static final Setting<Instant> REPORT_AS_OF = instant("report.as-of", null,
      "`--as-of`: the cut-off; default the time the run starts");
  public static final Setting<Integer> REPORT_DEFAULT_DAYS = integer("report.default-days", "31",
      "report range in days when no `from` is given");
  public static final Setting<Duration> REPORT_PROCESSING_TIMEOUT = duration("report.processing-timeout", "30m",
      "a job PROCESSING longer than this is reaped to FAILED");
  public static final Setting<Duration> REPORT_JOB_STORE_RETRY = duration("report.job-store-retry", "5m",
      "how long a failed report keeps trying to record FAILED, with its reason, while the job store is unreachable"
          + " (it is often the MySQL whose outage failed the report); past it the job is left to the reaper"
          + " (`report.processing-timeout`)");
  public static final Setting<String> REPORT_HOT_SOURCE = choice("report.hot-source", "raw",
      "where readings after `finalized_before` come from: the stream's source (files or Kafka) or the MySQL"
          + " raw table `silo_readings`", "raw", "mysql");
  public static final Setting<Double> REPORT_ANOMALY_THRESHOLD = number("report.anomaly.threshold", "6",
      "an hour whose change of the hourly average is more than this many robust standard deviations (1.4826 x the"
          + " median absolute deviation of the silo's hour-to-hour changes) from the silo's median change is an"
          + " anomaly (a spike, jump or drop)");
  public static final Setting<Integer> REPORT_ANOMALY_FLAT_HOURS = integer("report.anomaly.flat-hours", "6",
      "this many adjacent hours or more in which every reading has one unchanged value are a `flat` anomaly");
  public static final Setting<Duration> REPORT_STALE_AFTER = duration("report.stale-after", "6h",
      "a silo whose newest reading is older than this at the end of the range (or the cut-off) is flagged stale");
  public static final Setting<Double> REPORT_TREND_FULL_LEVEL = number("report.trend.full-level", "100",
      "the value of a full silo, for the Summary's days to full at the last 7 days' rate (days to empty count"
          + " down to 0)");
  public static final Setting<Boolean> REPORT_CHARTS = bool("report.charts", "true",
      "a line chart of the hourly average, min and max on each silo sheet");
  public static final Setting<Integer> REPORT_CHART_MAX_SILOS = integer("report.chart.max-silos", "12",
      "the Summary gets one chart of every silo's hourly average when the report has at most this many silos");
  public static final Setting<Duration> REPORT_PRESIGN_TTL = duration("report.presign-ttl", "15m",
      "how long a presigned report URL works");
  public static final Setting<String> REPORT_S3_REGION = text("report.s3.region", "us-east-1", "S3 region");
  public static final Setting<String> REPORT_S3_ENDPOINT = text("report.s3.endpoint", null,
      "endpoint of an S3-compatible server (S3Proxy, MinIO)");
  public static final Setting<Boolean> REPORT_S3_PATH_STYLE = bool("report.s3.path-style", "false",
      "path-style S3 addressing (S3-compatible servers)");
  public static final Setting<String> REPORT_S3_ACCESS_KEY = secret("report.s3.access-key",
      "static S3 access key (S3-compatible servers); default: the AWS credentials chain");
  public static final Setting<String> REPORT_S3_SECRET_KEY = secret("report.s3.secret-key",
      "static S3 secret key (S3-compatible servers)");

  // ---- backfill
  static {
    group("Backfill");
  }

  public static final Setting<Instant> BACKFILL_FROM = instant("backfill.from", null,
      "`--from`: first hour to recompute (required, on an hour boundary)");
  public static final Setting<Instant> BACKFILL_TO = instant("backfill.to", null,
      "`--to`: end of the range (exclusive); default each pipeline's `finalized_before`");
  public static final Setting<String> BACKFILL_PIPELINES = text("backfill.pipelines", "silo-readings,activity-events",
      "`--pipelines`: the pipelines to recompute");
  public static final Setting<String> BACKFILL_FORMAT = choice("backfill.format", "json",
      "`--format`: raw files are JSON lines or CSV with a header (`silo_id,ts,value` / `record_type,account_id,ts`)",
      "json", "csv");
  public static final Setting<Duration> BACKFILL_CHUNK = duration("backfill.chunk", "1d",
      "`--chunk`: whole hours replaced in one transaction, aligned to multiples of it (1d: UTC days)");
  public static final Setting<Boolean> BACKFILL_FORCE = bool("backfill.force", "false",
      "`--force`: allow a pipeline without a committed `finalized_before` (needs `--to`)");
  public static final Setting<Boolean> BACKFILL_ALLOW_FEWER = bool("backfill.allow-fewer-records", "false",
      "`--allow-fewer-records`: replace a chunk even when the input has fewer records than the table counts");

  // ---- generate, status
  static {
    group("Sample data and status");
  }

  public static final Setting<Integer> GENERATE_SILOS = integer("generate.silos", "6", "`--silos`: silos 1..N");
  public static final Setting<Integer> GENERATE_DAYS = integer("generate.days", "20", "`--days`: days of data");
  public static final Setting<Instant> GENERATE_END = instant("generate.end", null,
      "`--end`: end of the data (exclusive, a whole minute); default the start of the current hour");
  public static final Setting<Integer> GENERATE_ACCOUNTS = integer("generate.accounts", "4",
      "`--accounts`: accounts emitting activity events");
  public static final Setting<Long> GENERATE_SEED = longValue("generate.seed", "42",
      "`--seed`: the same seed writes the same bytes");
  public static final Setting<Integer> GENERATE_BAD_PER_KIND = integer("generate.bad-per-kind", "3",
      "`--bad-per-kind`: bad records of each kind");
  public static final Setting<Integer> GENERATE_LATE_PER_PIPELINE = integer("generate.late-per-pipeline", "5",
      "`--late-per-pipeline`: late records per pipeline");
  public static final Setting<Integer> STATUS_LIMIT = integer("status.limit", "20", "`--limit`: report jobs listed");
  public static final Setting<String> BUCKETS_RECORD_TYPE = text("buckets.record-type", null,
      "`buckets --record-type`: items, scoreResults, tasks or evaluations");
  public static final Setting<String> BUCKETS_ACCOUNT = text("buckets.account", null,
      "`buckets --account`: one account; default all");
  public static final Setting<Instant> BUCKETS_FROM = instant("buckets.from", null,
      "`buckets --from`: first bucket start (inclusive); default two hours before `--to`, as seed 002 queries");
  public static final Setting<Instant> BUCKETS_TO = instant("buckets.to", null,
      "`buckets --to`: end (exclusive); default the end of the current hour");
  public static final Setting<String> BUCKETS_MINUTES = text("buckets.minutes", "1,5,15,60",
      "`buckets --minutes`: bucket sizes shown");
  public static final Setting<Integer> BUCKETS_LIMIT = integer("buckets.limit", "10000",
      "`buckets --limit`: rows per bucket size at most");

  // ---- report service
  static {
    group("Report service (api, worker)");
  }

  public static final Setting<String> API_BIND = text("api.bind", "127.0.0.1",
      "address the HTTP service listens on (`0.0.0.0`: every interface)");
  public static final Setting<Integer> API_PORT = integer("api.port", "8080", "port of the HTTP service");
  public static final Setting<String> API_PUBLIC_URL = text("api.public-url", null,
      "the service's address as browsers reach it, for download links of local reports; default"
          + " `http://<api.bind>:<api.port>`");
  public static final Setting<String> API_TOKENS = secret("api.tokens",
      "bearer tokens as `name:token,name2:token2` (from the environment: `SILO_REPORTS_API_TOKENS`); the name is"
          + " stored as who asked for a job");
  public static final Setting<Integer> API_THREADS = integer("api.threads", "16", "threads serving HTTP requests");
  public static final Setting<Boolean> API_WORKER = bool("api.worker", "true",
      "`api` also runs the worker that submits PENDING jobs (false: run `worker` separately, or none)");
  public static final Setting<Duration> API_HEALTH_MAX_COMMIT_AGE = duration("api.health.max-commit-age", "15m",
      "`/api/health` answers 503 when a pipeline has not committed a batch for this long");
  public static final Setting<Duration> API_PAGE_POLL_INTERVAL = duration("api.page.poll-interval", "5s",
      "how often the page asks for its job's status");
  public static final Setting<Duration> API_PAGE_POLL_MAX = duration("api.page.poll-max", "15m",
      "the page stops asking after this long (the job's status stays on the list)");
  public static final Setting<String> API_DOWNLOAD_SIGNING_KEY = secret("api.download-signing-key",
      "key that signs download links of local reports; default a random key per start");
  public static final Setting<String> WORKER_SUBMITTER = choice("worker.submitter", "local",
      "how the worker runs a job: a child JVM per report through Spark's launcher, an EMR step (`worker.emr.*`), an"
          + " Airflow DAG run (`worker.airflow.*`), or none (something else runs the jobs; the worker only times them"
          + " out, creates scheduled jobs, notifies and applies retention)", "local", "emr", "airflow", "none");
  public static final Setting<Duration> WORKER_REMOTE_POLL_INTERVAL = duration("worker.remote-poll-interval", "30s",
      "how often the worker asks EMR or Airflow how its runs are doing");
  public static final Setting<String> WORKER_EMR_CLUSTER_ID = text("worker.emr.cluster-id", null,
      "the EMR cluster (j-...) report steps are added to");
  public static final Setting<String> WORKER_EMR_ARTIFACTS = text("worker.emr.artifacts", null,
      "s3://bucket/prefix holding silo-reports-shaded.jar and emr.properties (as deploy/emr uploads them)");
  public static final Setting<String> WORKER_EMR_REGION = text("worker.emr.region", null,
      "region of the EMR API; default the AWS default region chain");
  public static final Setting<String> WORKER_EMR_ENDPOINT = text("worker.emr.endpoint", null,
      "endpoint of an EMR-compatible API (VPC endpoints, tests)");
  public static final Setting<String> WORKER_EMR_SPARK_OPTIONS = text("worker.emr.spark-options", null,
      "more spark-submit options of each report step, space-separated (`--driver-memory 4g`)");
  public static final Setting<String> WORKER_AIRFLOW_URL = text("worker.airflow.url", null,
      "base URL of the Airflow webserver whose REST API triggers the report DAG");
  public static final Setting<String> WORKER_AIRFLOW_API_PATH = text("worker.airflow.api-path", "/api/v1",
      "path of Airflow's stable REST API");
  public static final Setting<String> WORKER_AIRFLOW_DAG_ID = text("worker.airflow.dag-id", "silo_reports_report",
      "the DAG a report runs as (deploy/airflow/silo_reports_dag.py)");
  public static final Setting<String> WORKER_AIRFLOW_USER = text("worker.airflow.user", null,
      "user of Airflow's API (basic authentication)");
  public static final Setting<String> WORKER_AIRFLOW_PASSWORD = secret("worker.airflow.password",
      "its password (from the environment: `SILO_REPORTS_WORKER_AIRFLOW_PASSWORD`)");
  public static final Setting<String> NOTIFY_TARGETS = text("notify.targets", null,
      "where every finished job is announced unless its request says otherwise: webhook URLs (`https://...`) and SNS"
          + " topic ARNs, comma-separated");
  public static final Setting<String> NOTIFY_WEBHOOK_SECRET = secret("notify.webhook.secret",
      "key of the HMAC-SHA256 signature of webhook notifications (from the environment:"
          + " `SILO_REPORTS_NOTIFY_WEBHOOK_SECRET`)");
  public static final Setting<Integer> NOTIFY_WEBHOOK_ATTEMPTS = integer("notify.webhook.attempts", "4",
      "tries of a webhook before it is given up (recorded in the job's history)");
  public static final Setting<Duration> NOTIFY_WEBHOOK_BACKOFF = duration("notify.webhook.backoff", "2s",
      "pause after a webhook's first failed try, doubling after each");
  public static final Setting<Duration> NOTIFY_WEBHOOK_TIMEOUT = duration("notify.webhook.timeout", "10s",
      "connect and answer timeout of a webhook call");
  public static final Setting<String> NOTIFY_SNS_REGION = text("notify.sns.region", null,
      "region of SNS; default the topic ARN's");
  public static final Setting<String> NOTIFY_SNS_ENDPOINT = text("notify.sns.endpoint", null,
      "endpoint of an SNS-compatible API (VPC endpoints, tests)");
  public static final Setting<Duration> NOTIFY_MAX_AGE = duration("notify.max-age", "1d",
      "a job that finished longer ago than this when a worker first sees it is not announced");
  public static final Setting<Duration> RETENTION_REPORT_AGE = duration("retention.report-age", null,
      "reports finished longer ago are deleted from the output and their jobs EXPIRED; unset: kept");
  public static final Setting<Duration> RETENTION_JOB_AGE = duration("retention.job-age", null,
      "ended jobs (and their history) last changed longer ago are deleted; unset: kept");
  public static final Setting<Duration> RETENTION_INTERVAL = duration("retention.interval", "10m",
      "how often the worker applies retention");
  public static final Setting<Integer> WORKER_MAX_CONCURRENT = integer("worker.max-concurrent", "2",
      "reports a worker runs at the same time");
  public static final Setting<Duration> WORKER_POLL_INTERVAL = duration("worker.poll-interval", "2s",
      "how often the worker looks for PENDING jobs");
  public static final Setting<Duration> WORKER_PENDING_TIMEOUT = duration("worker.pending-timeout", "30m",
      "a job PENDING longer than this ends FAILED (nothing took it)");
  public static final Setting<Duration> WORKER_SUBMITTED_TIMEOUT = duration("worker.submitted-timeout", "10m",
      "a job SUBMITTED longer than this without starting ends FAILED");
  public static final Setting<String> SUBMIT_LOCAL_SPARK_HOME = text("submit.local.spark-home", "jobs/spark-home",
      "the Spark home whose `bin/spark-submit` the local submitter runs (the bundled one runs Spark from this"
          + " build's classpath; set `$SPARK_HOME` of an installed Spark instead)");
  public static final Setting<String> SUBMIT_LOCAL_APP_RESOURCE = text("submit.local.app-resource", "spark-internal",
      "the application jar given to spark-submit: `spark-internal` when the classes are on the classpath (the"
          + " bundled Spark home), else the shaded jar");
  public static final Setting<String> SUBMIT_LOCAL_MASTER = text("submit.local.master", "local[2]",
      "Spark master of a locally submitted report");
  public static final Setting<String> SUBMIT_LOCAL_JAVA_OPTIONS = text("submit.local.java-options", "-Xmx1g",
      "JVM options of a locally submitted report");
  public static final Setting<String> SUBMIT_LOCAL_LOG_DIR = text("submit.local.log-dir", "data/report-logs",
      "where the output of each locally submitted report goes (`<job id>.log`)");

  static {
    GROUPS.replaceAll(g -> new Group(g.title(), List.copyOf(g.settings())));
  }

  /** Prefixes passed through; a key under one of them is known even though it is not declared. */
  public static final List<Family> FAMILIES = List.of(
      new Family("spark.", "passed to the SparkSession (spark-submit's own settings win), e.g."
          + " `spark.sql.shuffle.partitions`"),
      new Family("kafka.", "Kafka client settings, passed to the consumer and `produce` (MSK security settings)"),
      new Family("source.kafka.", "Spark Kafka source options of the stream, e.g. `source.kafka.maxOffsetsPerTrigger`"),
      new Family("source.file.", "Spark file source options of the stream, e.g. `source.file.maxFilesPerTrigger`"),
      new Family("schedule.", "report definitions the worker runs: `schedule.<name>.cron` (5 fields, UTC), `.silos`,"
          + " `.range` (before the run's hour, default 1d), `.format` (xlsx, csv), `.notify` (webhook URLs, SNS ARNs)"));

  /** Every declared setting, in declaration order. */
  public static List<Setting<?>> all() {
    return List.copyOf(BY_KEY.values());
  }

  public static List<Group> groups() {
    return Collections.unmodifiableList(GROUPS);
  }

  public static Optional<Setting<?>> byKey(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  /** True for a declared key or a key under a family prefix. */
  public static boolean isKnown(String key) {
    return BY_KEY.containsKey(key) || FAMILIES.stream().anyMatch(f -> key.startsWith(f.prefix()));
  }

  /** Secrets are declared; undeclared pass-through keys are judged by their name (a JAAS config holds one). */
  public static boolean isSecret(String key) {
    Setting<?> s = BY_KEY.get(key);
    if (s != null) {
      return s.secret();
    }
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential")
        || k.contains("jaas");
  }

  /** The configuration table of the docs, made from the declarations. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | default | meaning |\n| --- | --- | --- |\n");
    for (Group g : GROUPS) {
      sb.append("| **").append(g.title()).append("** | | |\n");
      for (Setting<?> s : g.settings()) {
        String def = s.secret() ? "(secret)" : s.defaultText() == null ? "—" : "`" + s.defaultText() + "`";
        sb.append("| `").append(s.key()).append("` | ").append(def).append(" | ").append(s.doc().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    sb.append("| **Passed through** | | |\n");
    for (Family f : FAMILIES) {
      sb.append("| `").append(f.prefix()).append("*` | | ").append(f.doc()).append(" |\n");
    }
    return sb.toString();
  }

  private static void group(String title) {
    group = new ArrayList<>();
    GROUPS.add(new Group(title, group));
  }

  private static <T> Setting<T> declare(String key, Kind<T> kind, String def, String doc, boolean secret) {
    Setting<T> s = new Setting<>(key, kind, def, doc, secret);
    if (BY_KEY.put(key, s) != null) {
      throw new IllegalStateException("setting " + key + " is declared twice");
    }
    group.add(s);
    return s;
  }

  private static Setting<String> text(String key, String def, String doc) {
    return declare(key, Kind.TEXT, def, doc, false);
  }

  private static Setting<String> secret(String key, String doc) {
    return declare(key, Kind.TEXT, null, doc, true);
  }

  private static Setting<String> choice(String key, String def, String doc, String... values) {
    return declare(key, Kind.oneOf(values), def, doc + " (" + String.join(" or ", values) + ")", false);
  }

  private static Setting<Integer> integer(String key, String def, String doc) {
    return declare(key, Kind.INT, def, doc, false);
  }

  private static Setting<Double> number(String key, String def, String doc) {
    return declare(key, Kind.NUMBER, def, doc, false);
  }

  private static Setting<Long> longValue(String key, String def, String doc) {
    return declare(key, Kind.LONG, def, doc, false);
  }

  private static Setting<Boolean> bool(String key, String def, String doc) {
    return declare(key, Kind.BOOLEAN, def, doc, false);
  }

  private static Setting<Duration> duration(String key, String def, String doc) {
    return declare(key, Kind.DURATION, def, doc, false);
  }

  private static Setting<Instant> instant(String key, String def, String doc) {
    return declare(key, Kind.INSTANT, def, doc, false);
  }
}
