package io.siloreports.store;

import java.time.Instant;
import java.util.List;

/**
 * What the HTTP service reads from the aggregates, without Spark: the silos that have data and the bucket counts.
 * Both read committed data only.
 */
public interface StoreQueries {

  /** One bucket count. */
  record BucketCount(String recordType, String accountId, int minutes, Instant start, long count) {}

  /** Silo ids that have at least one hourly aggregate, ascending. */
  List<Integer> silos();

  /**
   * The {@code minutes}-wide buckets of {@code recordType} starting in {@code [from, to)}, for one account or (null)
   * all, ordered by account and start; at most {@code limit} rows.
   */
  List<BucketCount> buckets(String recordType, String accountId, int minutes, Instant from, Instant to, int limit);
}
