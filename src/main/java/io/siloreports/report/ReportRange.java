package io.siloreports.report;

import io.siloreports.model.Times;
import java.time.Instant;

/**
 * How a report splits its hours between the finalized aggregates and the raw ("hot") readings.
 *
 * <p>Hours in {@code [from, split)} are read from the aggregates: they are before {@code finalized_before},
 * so they never change again, and before the cut-off's hour, so no reading after the cut-off is in them.
 * Readings with an event time in {@code [split, hotEnd)} are read raw and aggregated the same way. The two
 * parts meet at an hour boundary, so no reading is in both or in neither.
 *
 * @param from first hour (inclusive, hour-aligned)
 * @param to end hour (exclusive, hour-aligned)
 * @param cutoff readings with an event time before this count
 * @param finalizedBefore the committed progress of the stream; null if it has committed nothing
 */
public record ReportRange(Instant from, Instant to, Instant cutoff, Instant finalizedBefore) {

  public ReportRange {
    from = Times.hourFloor(from);
    to = Times.hourCeil(to);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("empty report range: from " + from + " is not before to " + to);
    }
  }

  /** The first hour read raw; every hour before it (and from {@code from}) comes from the aggregates. */
  public Instant split() {
    if (finalizedBefore == null) {
      return from;
    }
    Instant s = Times.min(finalizedBefore, Times.hourFloor(cutoff));
    return Times.min(Times.max(s, from), to);
  }

  /** End (exclusive) of the event times read raw. */
  public Instant hotEnd() {
    return Times.min(to, cutoff);
  }

  public boolean hasFinalizedPart() {
    return from.isBefore(split());
  }

  public boolean hasHotPart() {
    return split().isBefore(hotEnd());
  }
}
