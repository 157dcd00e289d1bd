-- The id of the HTTP request that created a job (X-Request-Id), so its log lines can be followed into the job's.
-- V8 like MySQL's, not V5: the versions of this change stay equal in both dialects (gaps are allowed).
ALTER TABLE report_jobs ADD COLUMN request_id TEXT;
