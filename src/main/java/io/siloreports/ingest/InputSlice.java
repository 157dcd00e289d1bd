package io.siloreports.ingest;

import java.time.Instant;

/**
 * The raw records a report reads: those the stream has not committed ({@code committed} says which it has) with event
 * times in {@code [uncommittedFrom, until)}, and those it has committed with event times in {@code [committedFrom,
 * until)} (the cut-off's own hour when the aggregates cannot give it; usually empty). With {@code committed} null
 * (nothing committed, or a position the source cannot tell) every record is read in {@code [committedFrom, until)}.
 */
public record InputSlice(CommittedInput committed, Instant uncommittedFrom, Instant committedFrom, Instant until) {

  /** The window of one record, by whether the stream had committed it. */
  public boolean counts(boolean isCommitted, Instant eventTime) {
    Instant start = committed != null && !isCommitted ? uncommittedFrom : committedFrom;
    return !eventTime.isBefore(start) && eventTime.isBefore(until);
  }

  /** Same for a timestamp with sub-millisecond precision. */
  public boolean counts(boolean isCommitted, java.sql.Timestamp eventTime) {
    Instant start = committed != null && !isCommitted ? uncommittedFrom : committedFrom;
    return !eventTime.before(java.sql.Timestamp.from(start)) && eventTime.before(java.sql.Timestamp.from(until));
  }

  /** Whether committed records are read at all (a window that is not empty). */
  public boolean readsCommitted() {
    return committedFrom.isBefore(until);
  }

  /** The earliest event time any record is read from. */
  public Instant earliest() {
    return committed != null && uncommittedFrom.isBefore(committedFrom) ? uncommittedFrom : committedFrom;
  }
}
