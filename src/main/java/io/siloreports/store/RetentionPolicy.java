package io.siloreports.store;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.ProgressRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How long the stored bucket counts (per bucket size) and the quarantined records are kept. Every bucket size is
 * counted by the stream from the readings themselves ({@link io.siloreports.aggregate.BucketCounts}), never summed
 * from a finer one, so dropping old 1-minute rows loses nothing the 60-minute rows hold: no roll-up step is needed.
 *
 * @param bucketAges per bucket size (minutes), how long its rows are kept; a size missing is kept for ever
 * @param quarantineAge quarantined records older than this (by {@code quarantined_at}) go; null: kept for ever
 * @param partitionDaysAhead MySQL: daily partitions kept ready this many days ahead of today
 * @param maxRevisionAge the stream's {@code stream.max-revision-age}, of which its revision horizon is made
 */
public record RetentionPolicy(Map<Integer, Duration> bucketAges, Duration quarantineAge, int partitionDaysAhead,
    Duration maxRevisionAge) {
  public RetentionPolicy {
    bucketAges = new TreeMap<>(bucketAges);
    if (partitionDaysAhead < 1) {
      throw new IllegalArgumentException("retention.partition-days-ahead must be at least 1, got " + partitionDaysAhead);
    }
  }

  /**
   * Bucket starts of {@code minutes}-wide rows before which they go: {@code now} minus the size's age, but never past
   * the pipeline's revision horizon as of {@code committed} ({@link ProgressRule#revisionHorizon}, what the next
   * micro-batch classifies against): a batch may still merge into an hour after it, and a row deleted under a running
   * batch would come back holding only that batch's count. Null when nothing goes (the size is kept for ever, or no
   * hour is closed yet).
   */
  public Instant bucketCutoff(int minutes, Instant now, Optional<AggregationProgress> committed) {
    Duration age = bucketAges.get(minutes);
    Instant horizon = ProgressRule.revisionHorizon(committed, maxRevisionAge);
    if (age == null || horizon == null) {
      return null;
    }
    Instant byAge = now.minus(age);
    return byAge.isBefore(horizon) ? byAge : horizon;
  }

  /** Quarantined records before this go (null: none). Their counts stay in the progress totals. */
  public Instant quarantineCutoff(Instant now) {
    return quarantineAge == null ? null : now.minus(quarantineAge);
  }

  public String describe() {
    StringBuilder b = new StringBuilder("bucket counts kept ");
    bucketAges.forEach((m, age) -> b.append(m).append("-min ").append(age.toDays()).append("d, "));
    return b.append("quarantine ").append(quarantineAge == null ? "for ever" : quarantineAge.toDays() + "d").toString();
  }
}
