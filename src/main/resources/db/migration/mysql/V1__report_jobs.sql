-- report_jobs (MySQL 8 and MariaDB 10.6+). Times are UTC, millisecond precision.
CREATE TABLE IF NOT EXISTS report_jobs (
  job_id        VARCHAR(128)  NOT NULL,
  status        ENUM('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'EXPIRED') NOT NULL,
  report_type   VARCHAR(64)   NOT NULL,
  params        TEXT          NULL,
  s3_key        VARCHAR(1024) NULL,
  s3_url        TEXT          NULL,
  error_message TEXT          NULL,
  created_at    DATETIME(3)   NOT NULL,
  updated_at    DATETIME(3)   NOT NULL,
  started_at    DATETIME(3)   NULL,
  finished_at   DATETIME(3)   NULL,
  PRIMARY KEY (job_id),
  KEY report_jobs_status_created (status, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
