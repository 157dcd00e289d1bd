-- The report service: jobs a worker has submitted (SUBMITTED), who asked for a job, what ran it, and the
-- history of every transition in report_job_events.
ALTER TABLE report_jobs MODIFY status ENUM('PENDING', 'SUBMITTED', 'PROCESSING', 'COMPLETED', 'FAILED', 'EXPIRED') NOT NULL;
ALTER TABLE report_jobs
  ADD COLUMN requested_by VARCHAR(128) NULL,
  ADD COLUMN submitted_at DATETIME(3) NULL,
  ADD COLUMN submit_ref VARCHAR(512) NULL;
CREATE TABLE IF NOT EXISTS report_job_events (
  id          BIGINT       NOT NULL AUTO_INCREMENT,
  job_id      VARCHAR(128) NOT NULL,
  at          DATETIME(3)  NOT NULL,
  from_status VARCHAR(16)  NULL,
  to_status   VARCHAR(16)  NOT NULL,
  actor       VARCHAR(255) NOT NULL,
  detail      TEXT         NULL,
  PRIMARY KEY (id),
  KEY report_job_events_job (job_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;
