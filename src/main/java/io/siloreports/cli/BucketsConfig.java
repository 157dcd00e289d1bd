package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.ingest.RecordParser;
import io.siloreports.model.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@code buckets} command reads: which counts (record type, account, sizes), the range, and where the
 * aggregates live.
 *
 * @param accountId one account, or null for all
 * @param from first bucket start (inclusive)
 * @param to end (exclusive)
 */
public record BucketsConfig(
    StoreConfig store,
    String recordType,
    String accountId,
    Instant from,
    Instant to,
    List<Integer> minutes,
    int limit,
    boolean migrateOnStart,
    Map<String, String> sparkConf) {

  public static BucketsConfig from(Settings s, Clock clock) {
    String type = s.get(Keys.BUCKETS_RECORD_TYPE);
    if (!RecordParser.RECORD_TYPES.contains(type)) {
      throw new IllegalArgumentException("--record-type must be one of "
          + String.join(", ", RecordParser.RECORD_TYPES.stream().sorted().toList()) + ", got '" + type + "'");
    }
    Instant to = s.find(Keys.BUCKETS_TO).orElse(Times.hourCeil(clock.instant()));
    Instant from = s.find(Keys.BUCKETS_FROM).orElse(to.minus(Duration.ofHours(2)));
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("--from " + from + " is not before --to " + to);
    }
    List<Integer> minutes = new ArrayList<>();
    for (String m : s.get(Keys.BUCKETS_MINUTES).split(",")) {
      int v;
      try {
        v = Integer.parseInt(m.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--minutes takes bucket sizes among 1,5,15,60, got '" + m.trim() + "'");
      }
      if (v != 1 && v != 5 && v != 15 && v != 60) {
        throw new IllegalArgumentException("--minutes takes bucket sizes among 1,5,15,60, got " + v);
      }
      minutes.add(v);
    }
    return new BucketsConfig(StoreConfig.from(s), type, s.find(Keys.BUCKETS_ACCOUNT).orElse(null), from, to,
        List.copyOf(minutes), s.get(Keys.BUCKETS_LIMIT), s.get(Keys.DB_MIGRATE_ON_START), Configs.sparkConf(s));
  }
}
