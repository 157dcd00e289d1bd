package io.siloreports.model;

import java.time.Instant;

/**
 * The {@code aggregation_progress} row of one pipeline after a committed micro-batch: every hour strictly
 * before {@code finalizedBefore} is final in the aggregates. It is committed together with the batch's
 * aggregates, and {@code batchId} fences replays: a batch id at or below it has already been applied.
 *
 * @param finalizedBefore null until the first reading arrived
 * @param maxEventTime the largest event time aggregated so far (null until then)
 * @param validTotal records aggregated so far, late ones included
 * @param badTotal bad records quarantined so far
 * @param lateTotal records merged into hours that were already final (counted in validTotal too)
 * @param tooLateTotal records for hours closed for revision, kept in the quarantine instead of merged
 * @param closedBefore hours before it were closed for revision by a backfill (null: none); the stream closes
 *     older hours by itself, see {@link ProgressRule#revisionHorizon}
 * @param sourcePosition where a source that the stream reads by position (the MySQL raw table) has got to,
 *     committed with the aggregates; null for sources whose position Spark's checkpoint keeps
 */
public record AggregationProgress(
    Pipeline pipeline,
    long batchId,
    Instant finalizedBefore,
    Instant maxEventTime,
    long validTotal,
    long badTotal,
    long lateTotal,
    long tooLateTotal,
    Instant closedBefore,
    String sourcePosition,
    Instant updatedAt) {}
