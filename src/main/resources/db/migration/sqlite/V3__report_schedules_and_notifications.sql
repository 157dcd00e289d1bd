-- Reports beyond the button: ad hoc jobs run before scheduled ones; a scheduled run is one row per schedule and
-- tick (the unique index stops two workers creating it twice); notified_at claims a finished job's notifications.
ALTER TABLE report_jobs ADD COLUMN trigger_type TEXT NOT NULL DEFAULT 'ADHOC';
ALTER TABLE report_jobs ADD COLUMN schedule_name TEXT;
ALTER TABLE report_jobs ADD COLUMN scheduled_for TEXT;
ALTER TABLE report_jobs ADD COLUMN notified_at TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS report_jobs_schedule_run ON report_jobs (schedule_name, scheduled_for);
CREATE INDEX IF NOT EXISTS report_jobs_status_trigger_created ON report_jobs (status, trigger_type, created_at);
