package io.siloreports.report.statistics;

/**
 * Which way a silo is going over the last {@value SiloStatistics#TREND_DAYS} days of the range: the least-squares
 * slope of its hourly averages per day, and at that rate the days until it is empty (0) or full (the configured
 * level), each null where it does not apply (the level moves away from it, or is already past it).
 */
public record Trend(double slopePerDay, int hours, Double daysToEmpty, Double daysToFull) {}
