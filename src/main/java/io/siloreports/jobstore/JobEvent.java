package io.siloreports.jobstore;

import java.time.Instant;

/**
 * One row of {@code report_job_events}: a transition of a job, written in the same transaction as the transition.
 *
 * @param from the status before; null when the job was created
 * @param actor who made the transition ({@code api:alice}, {@code worker pid 42@host}, {@code report pid 43@host})
 * @param detail why, or what with (the reason of a failure, the submitter's reference); may be null
 */
public record JobEvent(long id, String jobId, Instant at, JobStatus from, JobStatus to, String actor, String detail) {}
