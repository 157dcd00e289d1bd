-- Schedules as data: created and changed through the API (or seeded from the schedule.<name>.* settings), fired by
-- the worker at a local time in a time zone. A fired run stays a report_jobs row keyed by (schedule_name,
-- scheduled_for). recipients is for e-mail delivery (another change); NULL until then.
CREATE TABLE IF NOT EXISTS report_schedules (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  cron VARCHAR(128) NULL,
  at_time CHAR(5) NULL,
  time_zone VARCHAR(64) NOT NULL,
  silos TEXT NULL,
  range_days INT NULL,
  range_text VARCHAR(32) NULL,
  formats VARCHAR(64) NOT NULL,
  notify TEXT NULL,
  recipients TEXT NULL,
  paused BOOLEAN NOT NULL DEFAULT FALSE,
  source VARCHAR(16) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  created_by VARCHAR(128) NULL,
  updated_by VARCHAR(128) NULL
);
