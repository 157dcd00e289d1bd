-- Whether a schedule's emails carry the report's file (its "attach" field); false: the link only.
ALTER TABLE report_schedules ADD COLUMN attach_report BOOLEAN NOT NULL DEFAULT FALSE;
