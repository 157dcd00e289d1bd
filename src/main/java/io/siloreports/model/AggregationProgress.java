package io.siloreports.model;

import java.time.Instant;

/**
 * The {@code aggregation_progress} row of one pipeline after a committed micro-batch: every hour strictly
 * before {@code finalizedBefore} is final in the aggregates. It is committed together with the batch's
 * aggregates, and {@code batchId} fences replays: a batch id at or below it has already been applied.
 *
 * @param finalizedBefore null until the first reading arrived
 * @param maxEventTime the largest event time aggregated so far (null until then)
 * @param validTotal readings aggregated so far (late and bad ones excluded)
 * @param badTotal bad records quarantined so far
 * @param lateTotal late readings quarantined so far
 */
public record AggregationProgress(
    Pipeline pipeline,
    long batchId,
    Instant finalizedBefore,
    Instant maxEventTime,
    long validTotal,
    long badTotal,
    long lateTotal,
    Instant updatedAt) {}
