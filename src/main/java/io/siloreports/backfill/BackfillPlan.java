package io.siloreports.backfill;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which hours a backfill may replace, decided from each pipeline's committed progress. Pure: no I/O.
 *
 * <p>The stream merges each micro-batch additively and never writes an hour before the committed
 * {@code finalized_before} again, so those hours are the backfill's to rewrite. An hour at or after it is still
 * open: the stream would add its next readings on top of what the backfill wrote, so {@code to} must not be later
 * than {@code finalized_before} (its default). A pipeline without a committed {@code finalized_before} is refused
 * unless {@code force} is given with an explicit {@code to}.
 */
public final class BackfillPlan {
  private BackfillPlan() {}

  /**
   * The range one pipeline is backfilled over.
   *
   * @param finalizedBefore the committed finalized_before it was checked against; null when forced without one
   * @param forcedBecause why {@code force} was needed (the pipeline has no finalized_before), or null
   */
  public record Range(Pipeline pipeline, Instant from, Instant to, Instant finalizedBefore, String forcedBecause) {}

  /**
   * The range of each pipeline, or {@link Refused} naming the first pipeline whose range is not final.
   *
   * @param to the requested end, or null for each pipeline's finalized_before
   */
  public static List<Range> of(List<Pipeline> pipelines, Instant from, Instant to, boolean force,
      Map<Pipeline, Optional<AggregationProgress>> committed) {
    List<Range> ranges = new ArrayList<>();
    for (Pipeline p : pipelines) {
      Optional<AggregationProgress> progress = committed.getOrDefault(p, Optional.empty());
      Instant finalizedBefore = progress.map(AggregationProgress::finalizedBefore).orElse(null);
      Instant end;
      String forcedBecause = null;
      if (finalizedBefore != null) {
        end = to == null ? finalizedBefore : to;
        if (end.isAfter(finalizedBefore)) {
          throw new Refused("--to " + end + " is after " + p.id + "'s finalized_before " + finalizedBefore
              + ": hours from " + finalizedBefore + " on are not final yet, and the stream adds its next readings"
              + " to them, on top of what a backfill would write. Backfill up to " + finalizedBefore
              + " (the default when --to is not given), or wait until the stream has finalized those hours.");
        }
      } else {
        String why = progress.isEmpty()
            ? "has no aggregation_progress row (the stream never committed a batch of it)"
            : "has no finalized_before yet (the stream has not aggregated a reading)";
        if (!force) {
          throw new Refused(p.id + " " + why + ", so no hour is known to be final. If the stream is stopped and"
              + " will not process these hours (it would add its readings on top of the backfill's), run again"
              + " with --force and an explicit --to.");
        }
        if (to == null) {
          throw new Refused(p.id + " " + why + ": with --force, give --to (there is no finalized_before to"
              + " default to).");
        }
        end = to;
        forcedBecause = why;
      }
      if (!from.isBefore(end)) {
        throw new Refused("nothing to backfill for " + p.id + ": --from " + from + " is not before "
            + (to == null ? "its finalized_before " : "--to ") + end);
      }
      ranges.add(new Range(p, from, end, finalizedBefore, forcedBecause));
    }
    return ranges;
  }

  /** The chunks of {@code [from, to)}: aligned to multiples of {@code size} since the epoch, clipped to the range. */
  public static List<Instant[]> chunks(Instant from, Instant to, Duration size) {
    long w = size.getSeconds();
    if (w <= 0 || w % 3600 != 0) {
      throw new IllegalArgumentException("chunk size must be a whole number of hours, got " + size);
    }
    List<Instant[]> out = new ArrayList<>();
    for (Instant c0 = from; c0.isBefore(to); ) {
      Instant next = Instant.ofEpochSecond(Math.floorDiv(c0.getEpochSecond(), w) * w + w);
      Instant c1 = next.isBefore(to) ? next : to;
      out.add(new Instant[] {c0, c1});
      c0 = c1;
    }
    return out;
  }
}
