-- report_jobs on the embedded default. Instants are fixed-width ISO-8601 UTC text
-- (2026-11-20T14:37:23.120Z) so that text order is time order.
CREATE TABLE IF NOT EXISTS report_jobs (
  job_id TEXT NOT NULL PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'EXPIRED')),
  report_type TEXT NOT NULL,
  params TEXT,
  s3_key TEXT,
  s3_url TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS report_jobs_status_created ON report_jobs (status, created_at);
