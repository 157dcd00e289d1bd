package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.Times;
import io.siloreports.model.Pipeline;
import io.siloreports.ingest.ValidationRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the backfill job reads from configuration, resolved once at start ({@code backfill.*} keys, the
 * raw input from {@code input.dir}, the aggregates from {@code sink.*}/{@code db.*}).
 *
 * @param from first hour to recompute (inclusive, on an hour boundary)
 * @param to end of the range (exclusive, on an hour boundary); null means each pipeline's committed
 *     {@code finalized_before}
 * @param format {@code json} (JSON lines) or {@code csv} (a header line in every file)
 * @param chunk recomputed and replaced in one transaction per chunk; a whole number of hours, chunks are
 *     aligned to multiples of it since the epoch (1d: UTC days)
 * @param force allow a pipeline without a committed {@code finalized_before} (the stream never ran or is
 *     stopped for good); needs an explicit {@code to}
 * @param allowFewerRecords replace a chunk even when the input has fewer valid records than the aggregates
 *     already count for it (normally a sign of missing raw files: such a chunk is skipped)
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
    StoreConfig sink,
    ValidationRules rules,
    boolean migrateOnStart,
    Map<String, String> sparkConf) {

  public static final Map<String, String> FLAGS =
      Map.of(
          "from", "backfill.from",
          "to", "backfill.to",
          "pipelines", "backfill.pipelines",
          "input", "input.dir",
          "format", "backfill.format",
          "chunk", "backfill.chunk",
          "force", "backfill.force",
          "allow-fewer-records", "backfill.allow-fewer-records",
          "sink", "sink.type");

  public static BackfillConfig from(Settings s) {
    List<Pipeline> pipelines = new ArrayList<>();
    for (String id : s.get("backfill.pipelines", "silo-readings,activity-events").split(",")) {
      if (!id.isBlank()) {
        pipelines.add(Pipeline.fromId(id.trim()));
      }
    }
    if (pipelines.isEmpty()) {
      throw new IllegalArgumentException("backfill.pipelines names no pipeline (silo-readings, activity-events)");
    }
    Instant from = s.findInstant("backfill.from").orElseThrow(
        () -> new IllegalArgumentException("--from is required (backfill.from: the first hour to recompute)"));
    Instant to = s.findInstant("backfill.to").orElse(null);
    requireHour("--from", from);
    if (to != null) {
      requireHour("--to", to);
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException("--from " + from + " must be before --to " + to);
      }
    }
    Duration chunk = s.getDuration("backfill.chunk", Duration.ofDays(1));
    if (chunk.isNegative() || chunk.isZero() || chunk.toNanos() % Duration.ofHours(1).toNanos() != 0) {
      throw new IllegalArgumentException("--chunk must be a whole number of hours (1h, 6h, 1d), got " + chunk);
    }
    String format = s.get("backfill.format", "json");
    if (!format.equals("json") && !format.equals("csv")) {
      throw new IllegalArgumentException("--format must be json or csv, got '" + format + "'");
    }
    return new BackfillConfig(
        s.get("input.dir"),
        format,
        List.copyOf(pipelines),
        from,
        to,
        chunk,
        s.getBoolean("backfill.force", false),
        s.getBoolean("backfill.allow-fewer-records", false),
        StoreConfig.from(s),
        ValidationRules.from(s),
        s.getBoolean("db.migrate-on-start", false),
        s.withPrefix("spark."));
  }

  private static void requireHour(String flag, Instant t) {
    if (!Times.hourFloor(t).equals(t)) {
      throw new IllegalArgumentException(flag + " " + t + " is not on an hour boundary (whole hours are replaced):"
          + " use " + Times.hourFloor(t) + " or " + Times.hourCeil(t));
    }
  }
}
