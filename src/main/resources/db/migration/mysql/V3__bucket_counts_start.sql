-- The backfill replaces bucket counts by time range (bucket_start in [c0, c1)). The primary key starts with
-- record_type, so without this index that DELETE scans the whole table and, under REPEATABLE READ, locks every
-- row it scans (the stream's open hours included) until the chunk commits.
ALTER TABLE bucket_counts ADD INDEX bucket_counts_start (bucket_start);
