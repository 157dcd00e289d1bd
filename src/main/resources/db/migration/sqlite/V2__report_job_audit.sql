-- The report service: jobs a worker has submitted (SUBMITTED), who asked for a job, what ran it, and the
-- history of every transition in report_job_events. SQLite cannot change a CHECK constraint: the table is rebuilt.
CREATE TABLE report_jobs_v2 (
  job_id TEXT NOT NULL PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'SUBMITTED', 'PROCESSING', 'COMPLETED', 'FAILED', 'EXPIRED')),
  report_type TEXT NOT NULL,
  params TEXT,
  s3_key TEXT,
  s3_url TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  requested_by TEXT,
  submitted_at TEXT,
  submit_ref TEXT
);
INSERT INTO report_jobs_v2 (job_id, status, report_type, params, s3_key, s3_url, error_message, created_at, updated_at,
  started_at, finished_at)
  SELECT job_id, status, report_type, params, s3_key, s3_url, error_message, created_at, updated_at, started_at,
    finished_at FROM report_jobs;
DROP TABLE report_jobs;
ALTER TABLE report_jobs_v2 RENAME TO report_jobs;
CREATE INDEX IF NOT EXISTS report_jobs_status_created ON report_jobs (status, created_at);
CREATE TABLE IF NOT EXISTS report_job_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  at TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS report_job_events_job ON report_job_events (job_id, id);
