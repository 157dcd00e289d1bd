-- A completed report's statistics (per silo and all silos, as JSON) for the API's job detail.
ALTER TABLE report_jobs ADD COLUMN summary MEDIUMTEXT NULL;
