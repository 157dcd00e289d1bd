-- Aggregates, progress and quarantine of the streaming job. Times are UTC.
-- The *_exact columns keep full precision so merges of micro-batches add exact sums; the DECIMAL(12,2)
-- columns are their HALF_UP rounding, rewritten by every merge (avg is always sum / count).
CREATE TABLE IF NOT EXISTS silo_hourly_aggregates (
  silo_id       INT            NOT NULL,
  hour_start    DATETIME       NOT NULL,
  avg_value     DECIMAL(12, 2) NOT NULL,
  min_value     DECIMAL(12, 2) NOT NULL,
  max_value     DECIMAL(12, 2) NOT NULL,
  sum_value     DECIMAL(18, 2) NOT NULL,
  record_count  BIGINT         NOT NULL,
  sum_exact     DECIMAL(38, 10) NOT NULL,
  min_exact     DECIMAL(38, 10) NOT NULL,
  max_exact     DECIMAL(38, 10) NOT NULL,
  updated_at    DATETIME(3)    NOT NULL,
  PRIMARY KEY (silo_id, hour_start),
  KEY silo_hourly_aggregates_hour (hour_start)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS bucket_counts (
  record_type    VARCHAR(32)  NOT NULL,
  account_id     VARCHAR(128) NOT NULL,
  bucket_minutes SMALLINT     NOT NULL,
  bucket_start   DATETIME     NOT NULL,
  record_count   BIGINT       NOT NULL,
  updated_at     DATETIME(3)  NOT NULL,
  PRIMARY KEY (record_type, account_id, bucket_minutes, bucket_start)
) ENGINE = InnoDB;

-- One row per pipeline. last_batch_id fences replayed micro-batches: it is written in the same transaction
-- as the merges it covers.
CREATE TABLE IF NOT EXISTS aggregation_progress (
  pipeline         VARCHAR(32) NOT NULL,
  last_batch_id    BIGINT      NOT NULL,
  finalized_before DATETIME    NULL,
  max_event_time   DATETIME(6) NULL,
  valid_total      BIGINT      NOT NULL,
  bad_total        BIGINT      NOT NULL,
  late_total       BIGINT      NOT NULL,
  updated_at       DATETIME(3) NOT NULL,
  PRIMARY KEY (pipeline)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS quarantine (
  id             BIGINT       NOT NULL AUTO_INCREMENT,
  pipeline       VARCHAR(32)  NOT NULL,
  batch_id       BIGINT       NOT NULL,
  kind           VARCHAR(8)   NOT NULL,
  reason         VARCHAR(512) NOT NULL,
  event_ts       DATETIME(6)  NULL,
  line           MEDIUMTEXT   NOT NULL,
  source         VARCHAR(512) NULL,
  quarantined_at DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  KEY quarantine_pipeline_batch (pipeline, batch_id),
  KEY quarantine_event_ts (event_ts)
) ENGINE = InnoDB;

-- The seeds' raw time-series table, for reports that read hot readings from MySQL instead of Kafka.
CREATE TABLE IF NOT EXISTS silo_readings (
  silo_id INT             NOT NULL,
  ts      DATETIME(3)     NOT NULL,
  value   DECIMAL(22, 10) NOT NULL,
  KEY silo_readings_ts (ts),
  KEY silo_readings_silo_ts (silo_id, ts)
) ENGINE = InnoDB;
