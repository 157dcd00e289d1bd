package io.siloreports.jobstore;

import java.time.Instant;
import java.util.Map;

/**
 * How many jobs there are in each status and trigger, and since when the longest-waiting job of each unfinished
 * status has been in it: what a metrics scrape reads ({@link ReportJobStore#counts}).
 *
 * @param byStatusAndTrigger only the combinations that have jobs
 * @param oldestSince per unfinished status (PENDING, SUBMITTED, PROCESSING) that has jobs, the earliest
 *     {@code updated_at} of its jobs: a job's last transition, so the time it entered that status
 */
public record JobCounts(Map<JobStatus, Map<ReportJob.Trigger, Long>> byStatusAndTrigger,
    Map<JobStatus, Instant> oldestSince) {}
