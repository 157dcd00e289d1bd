package io.siloreports.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far the stream has read a raw table by its increasing id, committed with the aggregates as the pipeline's
 * source position: every id up to {@code upTo} has been read, except the {@code gaps}. Pure.
 *
 * <p>Ids are handed out when a row is inserted but become visible when its transaction commits, so a reader can see
 * id 11 before id 10. An id missing below the highest one read is a gap: it is read again with every batch until it
 * appears (its transaction committed) or until it has been missing longer than the gap timeout (its transaction
 * rolled back, or the id was skipped: auto-increment leaves holes). Text form: {@code id=120;gaps=100-101@<epoch
 * ms>,...}.
 *
 * @param gaps ranges of ids not seen yet, each with the time it was first missed
 */
public record TablePosition(long upTo, List<Gap> gaps) {
  /** Gaps remembered at most; the oldest are dropped first (and logged by the caller). */
  public static final int MAX_GAPS = 1_000;

  public record Gap(long from, long to, Instant since) {}

  public static final TablePosition START = new TablePosition(0, List.of());

  public TablePosition {
    gaps = List.copyOf(gaps);
  }

  /** The position in {@code text} (a committed source position), or {@link #START} for null. */
  public static TablePosition parse(String text) {
    if (text == null || text.isBlank()) {
      return START;
    }
    long upTo = -1;
    List<Gap> gaps = new ArrayList<>();
    for (String part : text.split(";")) {
      if (part.startsWith("id=")) {
        upTo = Long.parseLong(part.substring(3));
      } else if (part.startsWith("gaps=") && part.length() > 5) {
        for (String g : part.substring(5).split(",")) {
          int dash = g.indexOf('-', 1);
          int at = g.indexOf('@');
          gaps.add(new Gap(Long.parseLong(g.substring(0, dash)), Long.parseLong(g.substring(dash + 1, at)),
              Instant.ofEpochMilli(Long.parseLong(g.substring(at + 1)))));
        }
      }
    }
    if (upTo < 0) {
      throw new IllegalArgumentException("not a table position (expected id=N[;gaps=...]): '" + text + "'");
    }
    return new TablePosition(upTo, gaps);
  }

  public String format() {
    StringBuilder b = new StringBuilder("id=").append(upTo);
    if (!gaps.isEmpty()) {
      b.append(";gaps=");
      for (int i = 0; i < gaps.size(); i++) {
        Gap g = gaps.get(i);
        b.append(i == 0 ? "" : ",").append(g.from()).append('-').append(g.to()).append('@')
            .append(g.since().toEpochMilli());
      }
    }
    return b.toString();
  }

  /** What {@link #after} decided besides the new position: gaps given up on. */
  public record Advance(TablePosition position, List<Gap> abandoned) {}

  /**
   * The position after a read of every id in {@code (upTo, readTo]} and of the gaps, which returned {@code ids}
   * (ascending). Ids of the range not returned become gaps (since {@code now}); gap ids returned are no longer gaps;
   * gaps missing for longer than {@code gapTimeout}, or beyond {@link #MAX_GAPS}, are abandoned.
   */
  public Advance after(long readTo, long[] ids, Instant now, Duration gapTimeout) {
    List<Gap> next = new ArrayList<>();
    for (Gap g : gaps) {
      next.addAll(minus(g, ids));
    }
    long expect = upTo + 1;
    for (long id : ids) {
      if (id > upTo && id <= readTo) {
        if (id > expect) {
          next.add(new Gap(expect, id - 1, now));
        }
        expect = Math.max(expect, id + 1);
      }
    }
    if (readTo >= expect) {
      next.add(new Gap(expect, readTo, now));
    }
    List<Gap> kept = new ArrayList<>();
    List<Gap> abandoned = new ArrayList<>();
    for (Gap g : next) {
      (Duration.between(g.since(), now).compareTo(gapTimeout) > 0 ? abandoned : kept).add(g);
    }
    while (kept.size() > MAX_GAPS) {
      abandoned.add(kept.remove(0));
    }
    return new Advance(new TablePosition(Math.max(upTo, readTo), kept), abandoned);
  }

  /** The parts of {@code g} whose ids are not in {@code ids} (ascending). */
  private static List<Gap> minus(Gap g, long[] ids) {
    List<Gap> out = new ArrayList<>();
    long from = g.from();
    for (long id : ids) {
      if (id < from || id > g.to()) {
        continue;
      }
      if (id > from) {
        out.add(new Gap(from, id - 1, g.since()));
      }
      from = id + 1;
    }
    if (from <= g.to()) {
      out.add(new Gap(from, g.to(), g.since()));
    }
    return out;
  }
}
