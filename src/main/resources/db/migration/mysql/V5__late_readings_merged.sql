-- Late readings are merged into their hours: per hour, how many arrived after it was final and when it was last
-- revised. Progress counts the records too late to merge (kept in the quarantine), the hours a backfill closed for
-- revision, and the position of a source read by position (the MySQL raw table).
-- Every text column is utf8mb4 with a binary collation: any Unicode text is stored as it came, and keys that
-- differ only in case or accents stay different keys (as they are for the aggregation).
ALTER TABLE silo_hourly_aggregates
  ADD COLUMN late_count BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN revised_at DATETIME(3) NULL;
ALTER TABLE bucket_counts
  ADD COLUMN late_count BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN revised_at DATETIME(3) NULL;
ALTER TABLE bucket_counts CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE aggregation_progress
  ADD COLUMN too_late_total BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN closed_before DATETIME NULL,
  ADD COLUMN source_position VARCHAR(1024) NULL;
ALTER TABLE aggregation_progress CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE quarantine MODIFY kind VARCHAR(16) NOT NULL;
ALTER TABLE quarantine CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
-- The raw table gets an increasing id, so the stream can read it incrementally (source.type=mysql).
ALTER TABLE silo_readings ADD COLUMN id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
ALTER TABLE silo_readings CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
