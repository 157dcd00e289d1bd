-- Bounded tables (retention, docs/production.md "Bounded tables"). bucket_counts is partitioned by bucket size and
-- bucket start, so old rows of a size go by dropping a day's partition instead of deleting rows one by one. Every
-- unique key of a partitioned table must hold the partition columns: the primary key
-- (record_type, account_id, bucket_minutes, bucket_start) does. silo-reports retention splits p<m>_max into daily
-- partitions p<m>_<yyyymmdd> (the rows of size m before that day) ahead of time and drops expired ones.
ALTER TABLE bucket_counts PARTITION BY RANGE COLUMNS (bucket_minutes, bucket_start) (
  PARTITION p1_max VALUES LESS THAN (1, MAXVALUE),
  PARTITION p5_max VALUES LESS THAN (5, MAXVALUE),
  PARTITION p15_max VALUES LESS THAN (15, MAXVALUE),
  PARTITION p60_max VALUES LESS THAN (60, MAXVALUE),
  PARTITION p_other VALUES LESS THAN (MAXVALUE, MAXVALUE));
-- The quarantine's retention deletes by quarantined_at in chunks; without this index each chunk scans the table.
ALTER TABLE quarantine ADD INDEX quarantine_quarantined_at (quarantined_at);
