package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@code backfill} command reads from configuration, resolved once at start ({@code backfill.*}
 * keys, the raw input from {@code input.dir}, the aggregates from {@code sink.*}/{@code db.*}).
 *
 * @param from first hour to recompute (inclusive, on an hour boundary)
 * @param to end of the range (exclusive, on an hour boundary); null means each pipeline's committed
 *     {@code finalized_before}
 * @param chunk recomputed and replaced in one transaction per chunk; a whole number of hours
 */
public record BackfillConfig(
    String inputDir,
    String format,
    List<Pipeline> pipelines,
    Instant from,
    Instant to,
    Duration chunk,
    boolean force,
    boolean allowFewerRecords,
    StoreConfig store,
    ValidationRules rules,
    boolean migrateOnStart,
    Map<String, String> sparkConf) {

  public static BackfillConfig from(Settings s) {
    Instant from = s.find(Keys.BACKFILL_FROM).orElseThrow(
        () -> new IllegalArgumentException("--from is required (backfill.from: the first hour to recompute)"));
    Instant to = s.find(Keys.BACKFILL_TO).orElse(null);
    requireHour("--from", from);
    if (to != null) {
      requireHour("--to", to);
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException("--from " + from + " must be before --to " + to);
      }
    }
    Duration chunk = s.get(Keys.BACKFILL_CHUNK);
    if (chunk.isNegative() || chunk.isZero() || chunk.toNanos() % Duration.ofHours(1).toNanos() != 0) {
      throw new IllegalArgumentException("--chunk must be a whole number of hours (1h, 6h, 1d), got " + chunk);
    }
    return new BackfillConfig(
        s.get(Keys.INPUT_DIR),
        s.get(Keys.BACKFILL_FORMAT),
        Pipeline.parseList(s.get(Keys.BACKFILL_PIPELINES)),
        from,
        to,
        chunk,
        s.get(Keys.BACKFILL_FORCE),
        s.get(Keys.BACKFILL_ALLOW_FEWER),
        StoreConfig.from(s),
        Configs.rules(s),
        s.get(Keys.DB_MIGRATE_ON_START),
        Configs.sparkConf(s));
  }

  private static void requireHour(String flag, Instant t) {
    if (!Times.hourFloor(t).equals(t)) {
      throw new IllegalArgumentException(flag + " " + t + " is not on an hour boundary (whole hours are replaced):"
          + " use " + Times.hourFloor(t) + " or " + Times.hourCeil(t));
    }
  }
}
