-- Reports beyond the button: ad hoc jobs run before scheduled ones; a scheduled run is one row per schedule and
-- tick (the unique key stops two workers creating it twice); notified_at claims a finished job's notifications.
ALTER TABLE report_jobs
  ADD COLUMN trigger_type VARCHAR(16) NOT NULL DEFAULT 'ADHOC',
  ADD COLUMN schedule_name VARCHAR(128) NULL,
  ADD COLUMN scheduled_for DATETIME(3) NULL,
  ADD COLUMN notified_at DATETIME(3) NULL;
ALTER TABLE report_jobs ADD UNIQUE KEY report_jobs_schedule_run (schedule_name, scheduled_for);
ALTER TABLE report_jobs ADD INDEX report_jobs_status_trigger_created (status, trigger_type, created_at);
