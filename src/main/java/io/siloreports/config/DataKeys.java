package io.siloreports.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The settings of where data lives, where raw records come from and where aggregates go (one heading of the docs'
 * table per group below). Read them as {@code Keys.X}: {@link Keys} explains why they are declared here.
 */
interface DataKeys {
  SettingGroup WHERE_DATA_LIVES = new SettingGroup("Where data lives");

  Setting<String> INPUT_DIR = WHERE_DATA_LIVES.text("input.dir", "data/input",
      "raw input: `<dir>/silo-readings/`, `<dir>/activity-events/` (local, HDFS or s3a)");
  Setting<String> WAREHOUSE_DIR = WHERE_DATA_LIVES.text("warehouse.dir", "data/warehouse",
      "Parquet aggregates, quarantine and progress (`sink.type=parquet`)");
  Setting<String> CHECKPOINT_DIR = WHERE_DATA_LIVES.text("checkpoint.dir", "data/checkpoints",
      "Spark checkpoints of the stream, one directory per pipeline; a report reads there which files or Kafka offsets"
          + " the stream has committed, to read raw only the rest");
  Setting<String> REPORT_OUTPUT_DIR = WHERE_DATA_LIVES.text("report.output-dir", "data/output",
      "where workbooks go: a local directory, or `s3://bucket/prefix` (`s3a://` too); the file is"
          + " `<dir>/reports/<jobId>/silo_data_report.xlsx`");
  Setting<String> JOBSTORE_URL = WHERE_DATA_LIVES.text("jobstore.url", "jdbc:sqlite:data/jobstore.db",
      "the `report_jobs` database: `jdbc:sqlite:FILE` or a MySQL URL (`${db.url}` shares the aggregates database)");
  Setting<String> JOBSTORE_USER = WHERE_DATA_LIVES.text("jobstore.user", null, "user of the job store database");
  Setting<String> JOBSTORE_PASSWORD = WHERE_DATA_LIVES.secret("jobstore.password",
      "password of the job store database (from the environment: `SILO_REPORTS_JOBSTORE_PASSWORD`)");
  Setting<String> JOBSTORE_PASSWORD_SECRET_ID = WHERE_DATA_LIVES.text("jobstore.password-secret-id", null,
      "an AWS Secrets Manager secret (name or ARN) holding `jobstore.password`, read by the job itself at start");

  SettingGroup RAW_INPUT = new SettingGroup("Raw input");

  Setting<String> SOURCE_TYPE = RAW_INPUT.choice("source.type", "files",
      "where the stream reads raw records: a directory per pipeline under `input.dir`, Kafka topics, or (readings"
          + " only) the MySQL raw table of `source.mysql.*` in the `db.*` database, read by its increasing id",
      "files", "kafka", "mysql");
  Setting<Long> SOURCE_MAX_BYTES_PER_BATCH = RAW_INPUT.longValue("source.max-bytes-per-batch", "268435456",
      "files: bytes a micro-batch admits at most: as many files as fit if each were the largest file in the directory"
          + " when the stream starts (a larger file goes alone); 0: no limit. `source.file.maxFilesPerTrigger`, when"
          + " set, wins");
  Setting<String> KAFKA_BOOTSTRAP_SERVERS = RAW_INPUT.text("kafka.bootstrap.servers", null,
      "Kafka brokers (`source.type=kafka`, `produce`); every other `kafka.*` key is a client setting too");
  Setting<String> SOURCE_KAFKA_TOPIC_READINGS = RAW_INPUT.text("source.kafka.topic.silo-readings",
      "silo-readings", "Kafka topic of the readings");
  Setting<String> SOURCE_KAFKA_TOPIC_EVENTS = RAW_INPUT.text("source.kafka.topic.activity-events",
      "activity-events", "Kafka topic of the activity events");
  Setting<String> SOURCE_KAFKA_STARTING_OFFSETS = RAW_INPUT.text("source.kafka.startingOffsets", "earliest",
      "where a new checkpoint starts reading a topic (Spark's Kafka option)");
  Setting<String> SOURCE_MYSQL_TABLE = RAW_INPUT.text("source.mysql.table", "silo_readings",
      "the MySQL raw table of readings (`table` or `database.table`), for `source.type=mysql` and"
          + " `report.hot-source=mysql`");
  Setting<String> SOURCE_MYSQL_ID_COLUMN = RAW_INPUT.text("source.mysql.id-column", "id",
      "its increasing id (auto-increment), which the stream reads it by");
  Setting<String> SOURCE_MYSQL_SILO_COLUMN = RAW_INPUT.text("source.mysql.silo-column", "silo_id",
      "its silo id column");
  Setting<String> SOURCE_MYSQL_TS_COLUMN = RAW_INPUT.text("source.mysql.ts-column", "ts",
      "its timestamp column (DATETIME holding UTC, or TIMESTAMP)");
  Setting<String> SOURCE_MYSQL_VALUE_COLUMN = RAW_INPUT.text("source.mysql.value-column", "value",
      "its value column");
  Setting<Integer> SOURCE_MYSQL_MAX_ROWS = RAW_INPUT.integer("source.mysql.max-rows-per-batch", "100000",
      "new ids per micro-batch at most");
  Setting<Duration> SOURCE_MYSQL_GAP_TIMEOUT = RAW_INPUT.duration("source.mysql.gap-timeout", "10m",
      "an id missing below the highest one read (its insert not committed yet) is read again until it appears or"
          + " has been missing this long (rolled back)");

  SettingGroup AGGREGATES = new SettingGroup("Aggregates");

  Setting<String> SINK_TYPE = AGGREGATES.choice("sink.type", "parquet",
      "where aggregates, quarantine and progress live: Parquet under `warehouse.dir`, or MySQL (`db.*`)",
      "parquet", "mysql");
  Setting<Integer> PARQUET_COMPACT_EVERY = AGGREGATES.integer("sink.parquet.compact-every", "100",
      "Parquet: merge the committed micro-batch directories into one file set every N batches (0: never)");
  Setting<Long> PARQUET_DIRECT_READ_MAX_ROWS = AGGREGATES.longValue("sink.parquet.direct-read-max-rows",
      "1000000", "Parquet: a report reads the hourly aggregates without Spark while the row groups in its range hold at"
          + " most this many partial rows (faster for small ranges); above it, Spark reads them in parallel");
  Setting<String> DB_URL = AGGREGATES.text("db.url", null,
      "MySQL/MariaDB JDBC URL of the aggregates (`sink.type=mysql`, `report.hot-source=mysql`)");
  Setting<String> DB_USER = AGGREGATES.text("db.user", null, "MySQL user");
  Setting<String> DB_PASSWORD = AGGREGATES.secret("db.password",
      "MySQL password (from the environment: `SILO_REPORTS_DB_PASSWORD`)");
  Setting<String> DB_PASSWORD_SECRET_ID = AGGREGATES.text("db.password-secret-id", null,
      "an AWS Secrets Manager secret (name or ARN; a plain text or JSON with `password`, as RDS writes it) holding"
          + " `db.password`, read by the job itself at start: no password in a step, a DAG or an argument list");
  Setting<String> SECRETS_REGION = AGGREGATES.text("secrets.region", null,
      "region of Secrets Manager; default the AWS default region chain");
  Setting<String> SECRETS_ENDPOINT = AGGREGATES.text("secrets.endpoint", null,
      "endpoint of a Secrets Manager-compatible service (tests, VPC endpoints)");
  Setting<Boolean> DB_MIGRATE_ON_START = AGGREGATES.bool("db.migrate-on-start", "false",
      "jobs apply pending schema migrations to the databases they use; when false they check the schema version"
          + " and stop with a message naming `migrate`");
  Setting<Duration> RETENTION_BUCKETS_1M_AGE = AGGREGATES.duration("retention.buckets.1m-age", "7d",
      "1-minute bucket counts older than this go (never hours after the stream's revision horizon); blank: kept."
          + " Applied by the MySQL stream itself (`retention.every`) and by `retention`, or at compaction (Parquet);"
          + " docs/production.md, Bounded tables");
  Setting<Duration> RETENTION_BUCKETS_5M_AGE = AGGREGATES.duration("retention.buckets.5m-age", "30d",
      "the same for 5-minute bucket counts");
  Setting<Duration> RETENTION_BUCKETS_15M_AGE = AGGREGATES.duration("retention.buckets.15m-age", "90d",
      "the same for 15-minute bucket counts");
  Setting<Duration> RETENTION_BUCKETS_60M_AGE = AGGREGATES.duration("retention.buckets.60m-age", "366d",
      "the same for 60-minute bucket counts (each size is counted from the events, so the coarser ones lose nothing"
          + " when finer ones go)");
  Setting<Duration> RETENTION_QUARANTINE_AGE = AGGREGATES.duration("retention.quarantine-age", "90d",
      "quarantined records stored longer ago go (their counts stay in the progress totals); blank: kept");
  Setting<Integer> RETENTION_PARTITION_DAYS_AHEAD = AGGREGATES.integer("retention.partition-days-ahead", "3",
      "MySQL: retention keeps daily partitions of `bucket_counts` ready this many days ahead (apply it at least"
          + " this often: `retention.every` or the `retention` command)");
  Setting<Optional<Duration>> RETENTION_EVERY = AGGREGATES.durationOrOff("retention.every", "1h",
      "MySQL: a running stream applies the `retention.*` ages itself, at its start and then this often, in a thread"
          + " of its own (one run at a time per database, whatever the number of streams; a failed run is logged and"
          + " tried again, the stream goes on); `off`: only the `retention` command applies them");
}
