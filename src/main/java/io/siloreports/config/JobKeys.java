package io.siloreports.config;

import java.time.Duration;
import java.time.Instant;

/**
 * The settings of the jobs: the stream and its validation, the report, the backfill, {@code generate}, {@code status}
 * and {@code buckets} (one heading of the docs' table per group below). Read them as {@code Keys.X}: {@link Keys}
 * explains why they are declared here.
 */
interface JobKeys {
  SettingGroup STREAM = new SettingGroup("Stream");

  Setting<String> STREAM_TRIGGER = STREAM.text("stream.trigger", "available-now",
      "`available-now` (process what has arrived, then stop) or an interval (`30s`, `1m`) to run until stopped");
  Setting<Duration> STREAM_ALLOWED_LATENESS = STREAM.duration("stream.allowed-lateness", "30m",
      "an hour is final once the largest event time seen is this far past its end; a reading for a final hour is"
          + " late, and merged into it like any other");
  Setting<Duration> STREAM_STORE_OUTAGE_TOLERANCE = STREAM.duration("stream.store-outage-tolerance",
      "10m", "how long a micro-batch waits out an unreachable MySQL or a full disk under the warehouse directory"
          + " (retrying with backoff, then going on by itself) before the stream stops with the reason; 0s: stop at"
          + " once");
  Setting<Duration> STREAM_SOURCE_OUTAGE_TOLERANCE = STREAM.duration("stream.source-outage-tolerance", "15m",
      "how long the stream rides out unreachable Kafka brokers once Spark's Kafka source has given up (its own"
          + " retries take about 3 minutes by default): the pipeline's query is restarted from its checkpoint with"
          + " backoff, every record counted once, until the brokers answer; past this the stream stops naming the"
          + " outage. A missing topic, lost offsets or a bad setting stop it at once; 0s: stop at once");
  Setting<String> STREAM_STOP_FILE = STREAM.text("stream.stop-file", "${checkpoint.dir}/STOP",
      "a planned stop: when this file (or S3 object) appears, the stream stops between micro-batches, deletes it and"
          + " returns normally (an EMR step ends COMPLETED); one left from before a start is deleted at the start."
          + " Blank: no stop file");
  Setting<Duration> STREAM_MAX_REVISION_AGE = STREAM.duration("stream.max-revision-age", "7d",
      "hours more than this before the largest event time seen are closed: a reading for them is too late, kept in"
          + " the quarantine (kind `too_late`) and counted, not merged (a backfill of its hours takes it in)");
  Setting<String> STREAM_PIPELINES = STREAM.text("stream.pipelines", "silo-readings,activity-events",
      "the pipelines the stream runs");
  Setting<Integer> STREAM_METRICS_PORT = STREAM.integer("stream.metrics.port", null,
      "port of the stream's Prometheus endpoint (`/metrics`, docs/metrics.md; 9464 is the usual choice); unset: none,"
          + " 0: any free port (logged)");
  Setting<String> STREAM_METRICS_BIND = STREAM.text("stream.metrics.bind", "127.0.0.1",
      "address the stream's metrics endpoint listens on (`0.0.0.0` for a scraper on another host)");

  SettingGroup VALIDATION = new SettingGroup("Validation (bad records)");

  Setting<Instant> VALIDATION_EARLIEST = VALIDATION.instant("validation.earliest-timestamp",
      "2000-01-01T00:00:00Z", "records stamped before this are bad records");
  Setting<Duration> VALIDATION_MAX_FUTURE_SKEW = VALIDATION.duration("validation.max-future-skew", "1h",
      "records stamped further than this after processing time are bad records");
  Setting<String> VALIDATION_MAX_ABS_VALUE = VALIDATION.text("validation.max-abs-value", "1E10",
      "readings must satisfy |value| < this (the stored type is DECIMAL(12,2))");
  Setting<Integer> VALIDATION_MAX_ACCOUNT_ID_LENGTH = VALIDATION.integer("validation.max-account-id-length",
      "128", "events whose account_id is longer (in characters) are bad records (the stored type is VARCHAR(128))");

  SettingGroup REPORT = new SettingGroup("Report");

  Setting<String> REPORT_JOB_ID = REPORT.text("report.job-id", null,
      "`--job-id`: the `report_jobs` row the run processes (created when missing)");
  Setting<Instant> REPORT_FROM = REPORT.instant("report.from", null,
      "`--from`: first hour; default `to` minus `report.default-days`");
  Setting<Instant> REPORT_TO = REPORT.instant("report.to", null,
      "`--to`: end of the range (exclusive); default the end of the cut-off's hour");
  Setting<String> REPORT_SILOS = REPORT.text("report.silos", null,
      "`--silos`: silos to report (`1,3-5`); default every silo with data in the range");
  Setting<String> REPORT_FORMAT = REPORT.choice("report.format", null,
      "`--format`: an Excel workbook, a zip of CSV files (one per silo and a summary, the same numbers) or a PDF"
          + " (summary, charts, anomalies and gaps; see docs/report.md); default the job's, else xlsx", "xlsx", "csv",
      "pdf");
  Setting<Instant> REPORT_AS_OF = REPORT.instant("report.as-of", null,
      "`--as-of`: the cut-off; default the time the run starts");
  Setting<Integer> REPORT_DEFAULT_DAYS = REPORT.integer("report.default-days", "31",
      "report range in days when no `from` is given");
  Setting<Duration> REPORT_PROCESSING_TIMEOUT = REPORT.duration("report.processing-timeout", "30m",
      "a job PROCESSING longer than this is reaped to FAILED");
  Setting<Duration> REPORT_JOB_STORE_RETRY = REPORT.duration("report.job-store-retry", "5m",
      "how long a failed report keeps trying to record FAILED, with its reason, while the job store is unreachable"
          + " (it is often the MySQL whose outage failed the report); past it the job is left to the reaper"
          + " (`report.processing-timeout`)");
  Setting<Duration> REPORT_JOB_CHECK_INTERVAL = REPORT.duration("report.job-check-interval", "30s",
      "how often a running report checks that its job is still PROCESSING: one ended meanwhile (timed out, by the"
          + " worker or the reaper) stops the run at its next row, so no report runs on orphaned, on any platform");
  Setting<String> REPORT_HOT_SOURCE = REPORT.choice("report.hot-source", "raw",
      "where readings after `finalized_before` come from: the stream's source (files or Kafka) or the MySQL"
          + " raw table `silo_readings`", "raw", "mysql");
  Setting<Double> REPORT_ANOMALY_THRESHOLD = REPORT.number("report.anomaly.threshold", "6",
      "an hour whose change of the hourly average is more than this many robust standard deviations (1.4826 x the"
          + " median absolute deviation of the silo's hour-to-hour changes) from the silo's median change is an"
          + " anomaly (a spike, jump or drop)");
  Setting<Integer> REPORT_ANOMALY_FLAT_HOURS = REPORT.integer("report.anomaly.flat-hours", "6",
      "this many adjacent hours or more in which every reading has one unchanged value are a `flat` anomaly");
  Setting<Duration> REPORT_STALE_AFTER = REPORT.duration("report.stale-after", "6h",
      "a silo whose newest reading is older than this at the end of the range (or the cut-off) is flagged stale");
  Setting<Double> REPORT_TREND_FULL_LEVEL = REPORT.number("report.trend.full-level", "100",
      "the value of a full silo, for the Summary's days to full at the last 7 days' rate (days to empty count"
          + " down to 0)");
  Setting<Boolean> REPORT_CHARTS = REPORT.bool("report.charts", "true",
      "a line chart of the hourly average, min and max on each silo sheet");
  Setting<Integer> REPORT_CHART_MAX_SILOS = REPORT.integer("report.chart.max-silos", "12",
      "the Summary gets one chart of every silo's hourly average when the report has at most this many silos");
  Setting<Duration> REPORT_PRESIGN_TTL = REPORT.duration("report.presign-ttl", "15m",
      "how long a presigned report URL works");
  Setting<String> REPORT_S3_REGION = REPORT.text("report.s3.region", "us-east-1", "S3 region");
  Setting<String> REPORT_S3_ENDPOINT = REPORT.text("report.s3.endpoint", null,
      "endpoint of an S3-compatible server (S3Proxy, MinIO)");
  Setting<Boolean> REPORT_S3_PATH_STYLE = REPORT.bool("report.s3.path-style", "false",
      "path-style S3 addressing (S3-compatible servers)");
  Setting<String> REPORT_S3_ACCESS_KEY = REPORT.secret("report.s3.access-key",
      "static S3 access key (S3-compatible servers); default: the AWS credentials chain");
  Setting<String> REPORT_S3_SECRET_KEY = REPORT.secret("report.s3.secret-key",
      "static S3 secret key (S3-compatible servers)");

  SettingGroup BACKFILL = new SettingGroup("Backfill");

  Setting<Instant> BACKFILL_FROM = BACKFILL.instant("backfill.from", null,
      "`--from`: first hour to recompute (required, on an hour boundary)");
  Setting<Instant> BACKFILL_TO = BACKFILL.instant("backfill.to", null,
      "`--to`: end of the range (exclusive); default each pipeline's `finalized_before`");
  Setting<String> BACKFILL_PIPELINES = BACKFILL.text("backfill.pipelines", "silo-readings,activity-events",
      "`--pipelines`: the pipelines to recompute");
  Setting<String> BACKFILL_FORMAT = BACKFILL.choice("backfill.format", "json",
      "`--format`: raw files are JSON lines or CSV with a header (`silo_id,ts,value` / `record_type,account_id,ts`)",
      "json", "csv");
  Setting<Duration> BACKFILL_CHUNK = BACKFILL.duration("backfill.chunk", "1d",
      "`--chunk`: whole hours replaced in one transaction, aligned to multiples of it (1d: UTC days)");
  Setting<Boolean> BACKFILL_FORCE = BACKFILL.bool("backfill.force", "false",
      "`--force`: allow a pipeline without a committed `finalized_before` (needs `--to`)");
  Setting<Boolean> BACKFILL_ALLOW_FEWER = BACKFILL.bool("backfill.allow-fewer-records", "false",
      "`--allow-fewer-records`: replace a chunk even when the input has fewer records than the table counts");

  SettingGroup SAMPLE_DATA_AND_STATUS = new SettingGroup("Sample data and status");

  Setting<Integer> GENERATE_SILOS = SAMPLE_DATA_AND_STATUS.integer("generate.silos", "6", "`--silos`: silos 1..N");
  Setting<Integer> GENERATE_DAYS = SAMPLE_DATA_AND_STATUS.integer("generate.days", "20", "`--days`: days of data");
  Setting<Instant> GENERATE_END = SAMPLE_DATA_AND_STATUS.instant("generate.end", null,
      "`--end`: end of the data (exclusive, a whole minute); default the start of the current hour");
  Setting<Integer> GENERATE_ACCOUNTS = SAMPLE_DATA_AND_STATUS.integer("generate.accounts", "4",
      "`--accounts`: accounts emitting activity events");
  Setting<Long> GENERATE_SEED = SAMPLE_DATA_AND_STATUS.longValue("generate.seed", "42",
      "`--seed`: the same seed writes the same bytes");
  Setting<Integer> GENERATE_BAD_PER_KIND = SAMPLE_DATA_AND_STATUS.integer("generate.bad-per-kind", "3",
      "`--bad-per-kind`: bad records of each kind");
  Setting<Integer> GENERATE_LATE_PER_PIPELINE = SAMPLE_DATA_AND_STATUS.integer("generate.late-per-pipeline", "5",
      "`--late-per-pipeline`: late records per pipeline");
  Setting<Integer> STATUS_LIMIT = SAMPLE_DATA_AND_STATUS.integer("status.limit", "20", "`--limit`: report jobs listed");
  Setting<String> BUCKETS_RECORD_TYPE = SAMPLE_DATA_AND_STATUS.text("buckets.record-type", null,
      "`buckets --record-type`: items, scoreResults, tasks or evaluations");
  Setting<String> BUCKETS_ACCOUNT = SAMPLE_DATA_AND_STATUS.text("buckets.account", null,
      "`buckets --account`: one account; default all");
  Setting<Instant> BUCKETS_FROM = SAMPLE_DATA_AND_STATUS.instant("buckets.from", null,
      "`buckets --from`: first bucket start (inclusive); default two hours before `--to`, as seed 002 queries");
  Setting<Instant> BUCKETS_TO = SAMPLE_DATA_AND_STATUS.instant("buckets.to", null,
      "`buckets --to`: end (exclusive); default the end of the current hour");
  Setting<String> BUCKETS_MINUTES = SAMPLE_DATA_AND_STATUS.text("buckets.minutes", "1,5,15,60",
      "`buckets --minutes`: bucket sizes shown");
  Setting<Integer> BUCKETS_LIMIT = SAMPLE_DATA_AND_STATUS.integer("buckets.limit", "10000",
      "`buckets --limit`: rows per bucket size at most");
}
