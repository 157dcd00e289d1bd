-- The id of the HTTP request that created a job (X-Request-Id), so its log lines can be followed into the job's.
ALTER TABLE report_jobs ADD COLUMN request_id VARCHAR(64) NULL;
