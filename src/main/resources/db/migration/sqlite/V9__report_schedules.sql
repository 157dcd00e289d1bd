-- Schedules as data: created and changed through the API (or seeded from the schedule.<name>.* settings), fired by
-- the worker at a local time in a time zone. A fired run stays a report_jobs row keyed by (schedule_name,
-- scheduled_for). recipients is for e-mail delivery (another change); NULL until then. V9 as the next free version.
CREATE TABLE IF NOT EXISTS report_schedules (
  name TEXT NOT NULL PRIMARY KEY,
  cron TEXT,
  at_time TEXT,
  time_zone TEXT NOT NULL,
  silos TEXT,
  range_days INTEGER,
  range_text TEXT,
  formats TEXT NOT NULL,
  notify TEXT,
  recipients TEXT,
  paused INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  created_by TEXT,
  updated_by TEXT
);
