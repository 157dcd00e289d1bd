package io.siloreports.report.workbook;

import java.time.Instant;
import java.util.List;

/**
 * What the summary sheet says about a report besides the per-silo row counts.
 *
 * @param from first hour included (inclusive), UTC
 * @param to end of the range (exclusive), UTC
 * @param cutoff readings with an event time before this instant are counted
 * @param finalizedBefore hours before this come from the aggregates, later ones from raw data
 * @param tooLateReadings readings the stream kept aside as too late to merge (all hours; null when unknown)
 */
public record ReportHeader(
    String jobId,
    List<Integer> silos,
    Instant from,
    Instant to,
    Instant cutoff,
    Instant finalizedBefore,
    Instant generatedAt,
    Long tooLateReadings) {}
