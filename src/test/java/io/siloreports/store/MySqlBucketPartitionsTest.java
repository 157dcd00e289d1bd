package io.siloreports.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The partition plan of {@code bucket_counts} and the cut-offs of {@link RetentionPolicy}, without a database. */
class MySqlBucketPartitionsTest {
  private static final LocalDate D = LocalDate.parse("2026-12-01");

  @Test
  void splitsTheMaxPartitionFromTheDayAfterTheLastOne() {
    List<MySqlBucketPartitions.Daily> existing = List.of(new MySqlBucketPartitions.Daily("p1_20261201", 1, D),
        new MySqlBucketPartitions.Daily("p5_20261205", 5, D.plusDays(4)));
    assertEquals(Optional.of("ALTER TABLE bucket_counts REORGANIZE PARTITION p1_max INTO ("
        + "PARTITION p1_20261202 VALUES LESS THAN (1, '2026-12-02 00:00:00'), "
        + "PARTITION p1_20261203 VALUES LESS THAN (1, '2026-12-03 00:00:00'), "
        + "PARTITION p1_max VALUES LESS THAN (1, MAXVALUE))"),
        MySqlBucketPartitions.addDays(existing, 1, D.minusDays(9), D.plusDays(2)));
    assertEquals(Optional.empty(), MySqlBucketPartitions.addDays(existing, 5, D, D.plusDays(4)), "already there");
    assertTrue(MySqlBucketPartitions.addDays(existing, 15, D.minusDays(1), D).orElseThrow()
        .startsWith("ALTER TABLE bucket_counts REORGANIZE PARTITION p15_max INTO (PARTITION p15_20261130 VALUES"
            + " LESS THAN (15, '2026-11-30 00:00:00'), PARTITION p15_20261201"), "a size's first split starts there");
  }

  @Test
  void expiredAreTheSizesDailyPartitionsBoundedByTheCutoff() {
    List<MySqlBucketPartitions.Daily> existing = List.of(
        MySqlBucketPartitions.parse("p1_20261202").orElseThrow(), MySqlBucketPartitions.parse("p1_20261201")
            .orElseThrow(), MySqlBucketPartitions.parse("p1_20261203").orElseThrow(),
        MySqlBucketPartitions.parse("p5_20261201").orElseThrow());
    assertEquals(List.of("p1_20261201", "p1_20261202"),
        MySqlBucketPartitions.expired(existing, 1, Instant.parse("2026-12-02T00:00:00Z")), "bound <= cut-off");
    assertEquals(List.of("p1_20261201", "p1_20261202"),
        MySqlBucketPartitions.expired(existing, 1, Instant.parse("2026-12-02T23:00:00Z")), "the cut-off day stays");
    assertEquals(Optional.empty(), MySqlBucketPartitions.parse("p1_max"));
    assertEquals(Optional.empty(), MySqlBucketPartitions.parse("p_other"));
  }

  @Test
  void aCutoffNeverPassesTheRevisionHorizon() {
    RetentionPolicy p = new RetentionPolicy(Map.of(1, Duration.ofDays(7)), null, 2, Duration.ofDays(3));
    Instant now = Instant.parse("2026-12-20T10:00:00Z");
    assertEquals(Instant.parse("2026-12-13T10:00:00Z"), p.bucketCutoff(1, now, progress(now, null)), "by age");
    assertEquals(Instant.parse("2026-12-09T05:00:00Z"),
        p.bucketCutoff(1, now, progress(Instant.parse("2026-12-12T05:30:00Z"), null)),
        "the stream's horizon: the hour floor of the largest event time minus stream.max-revision-age");
    assertEquals(Instant.parse("2026-12-10T00:00:00Z"),
        p.bucketCutoff(1, now, progress(Instant.parse("2026-12-12T05:30:00Z"), Instant.parse("2026-12-10T00:00:00Z"))),
        "a backfill's later closed_before");
    assertNull(p.bucketCutoff(1, now, Optional.empty()), "no progress yet: nothing goes");
    assertNull(p.bucketCutoff(60, now, progress(now, null)), "a size without an age is kept");
    assertNull(p.quarantineCutoff(now));
    assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(Map.of(), null, 0, Duration.ofDays(7)));
  }

  private static Optional<AggregationProgress> progress(Instant maxEvent, Instant closedBefore) {
    return Optional.of(new AggregationProgress(Pipeline.ACTIVITY_EVENTS, 3, maxEvent, maxEvent, 0, 0, 0, 0,
        closedBefore, null, maxEvent));
  }
}
