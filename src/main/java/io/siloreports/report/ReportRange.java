package io.siloreports.report;

import io.siloreports.model.Times;
import java.time.Instant;

/**
 * How a report splits its hours between the aggregates and the raw ("hot") readings.
 *
 * <p>Split on what the stream committed ({@code byCommitted}): the aggregates hold every reading the stream has
 * committed, for every hour, so hours in {@code [from, split)} come from them and every reading the stream has not
 * committed yet with an event time in {@code [from, hotEnd)} is read raw and merged into its hour. The split is the end
 * of the cut-off's hour when no committed reading is at or after the cut-off ({@code maxEventTime} before it), else
 * the cut-off's hour, whose committed readings before the cut-off are then read raw too ({@code [split, hotEnd)}).
 *
 * <p>Split on event time (the stream's committed input unknown, or nothing committed): hours before
 * {@code finalized_before} and the cut-off's hour come from the aggregates, every reading in {@code [split, hotEnd)}
 * raw; the parts meet at an hour boundary. This is exact only once the stream has caught up.
 *
 * @param from first hour (inclusive, hour-aligned)
 * @param to end hour (exclusive, hour-aligned)
 * @param cutoff readings with an event time before this count
 * @param finalizedBefore the committed progress of the stream; null if it has committed nothing
 * @param maxEventTime the largest event time the stream has committed (null: none)
 * @param byCommitted whether the raw side is split by the stream's committed input
 */
public record ReportRange(Instant from, Instant to, Instant cutoff, Instant finalizedBefore, Instant maxEventTime,
    boolean byCommitted) {

  public ReportRange {
    from = Times.hourFloor(from);
    to = Times.hourCeil(to);
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("empty report range: from " + from + " is not before to " + to);
    }
    byCommitted &= finalizedBefore != null;
  }

  /** Split on event time at {@code finalizedBefore}. */
  public ReportRange(Instant from, Instant to, Instant cutoff, Instant finalizedBefore) {
    this(from, to, cutoff, finalizedBefore, null, false);
  }

  /** The first hour not read from the aggregates; every hour before it (and from {@code from}) comes from them. */
  public Instant split() {
    if (finalizedBefore == null) {
      return from;
    }
    Instant s;
    if (byCommitted) {
      boolean nothingCommittedFromTheCutOff = maxEventTime == null || maxEventTime.isBefore(cutoff);
      s = nothingCommittedFromTheCutOff ? Times.hourCeil(cutoff) : Times.hourFloor(cutoff);
    } else {
      s = Times.min(finalizedBefore, Times.hourFloor(cutoff));
    }
    return Times.min(Times.max(s, from), to);
  }

  /** End (exclusive) of the event times read raw. */
  public Instant hotEnd() {
    return Times.min(to, cutoff);
  }

  /** Start of the event times read raw from what the stream has not committed ({@code hotEnd}: none apart). */
  public Instant uncommittedFrom() {
    return byCommitted ? from : hotEnd();
  }

  public boolean hasFinalizedPart() {
    return from.isBefore(split());
  }

  public boolean hasHotPart() {
    return Times.min(split(), uncommittedFrom()).isBefore(hotEnd());
  }
}
