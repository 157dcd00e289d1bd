package io.siloreports.worker.schedule;

import io.siloreports.model.Times;
import io.siloreports.reportjob.ReportRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A report definition from configuration, {@code schedule.<name>.*}: when it runs ({@code cron}, five fields, UTC),
 * for which silos ({@code silos}, default all), over which range ({@code range} before the run's hour, default 1d),
 * in which format ({@code format}, default xlsx) and who to tell ({@code notify}: webhook URLs and SNS topic ARNs,
 * comma-separated; default the configured notifications).
 */
public record ReportSchedule(String name, Cron cron, List<Integer> silos, Duration range, ReportRequest.Format format,
    List<String> notifyTargets) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final Set<String> FIELDS = Set.of("cron", "silos", "range", "format", "notify");

  /** The request of the run at {@code tick}: the whole hours of {@code range} before the tick's hour, cut-off at it. */
  public ReportRequest requestAt(Instant tick) {
    Instant to = Times.hourFloor(tick);
    return new ReportRequest(to.minus(range), to, silos, tick, format, notifyTargets);
  }

  /**
   * Every schedule in {@code settings} (keys without the {@code schedule.} prefix: {@code <name>.<field>}), by name.
   *
   * @param parseDuration how a duration setting is read ({@code 1d}, {@code PT6H})
   */
  public static List<ReportSchedule> parse(Map<String, String> settings,
      java.util.function.Function<String, Duration> parseDuration) {
    Map<String, Map<String, String>> byName = new TreeMap<>();
    settings.forEach((key, value) -> {
      int dot = key.lastIndexOf('.');
      if (dot <= 0 || !FIELDS.contains(key.substring(dot + 1))) {
        throw new IllegalArgumentException("schedule setting 'schedule." + key + "' is not schedule.<name>.<field>"
            + " with a field among " + String.join(", ", FIELDS.stream().sorted().toList()));
      }
      byName.computeIfAbsent(key.substring(0, dot), n -> new TreeMap<>()).put(key.substring(dot + 1), value);
    });
    List<ReportSchedule> out = new ArrayList<>();
    byName.forEach((name, fields) -> {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("schedule name '" + name + "' must be 1-64 of [A-Za-z0-9_-]");
      }
      String cron = fields.get("cron");
      if (cron == null || cron.isBlank()) {
        throw new IllegalArgumentException("schedule." + name + ".cron is missing (e.g. '5 6 * * *': 06:05 UTC daily)");
      }
      try {
        Duration range = parseDuration.apply(fields.getOrDefault("range", "1d"));
        if (range.isNegative() || range.isZero() || range.toSeconds() % 3600 != 0) {
          throw new IllegalArgumentException("range must be a positive whole number of hours, got " + range);
        }
        List<String> notify = new ArrayList<>();
        for (String t : fields.getOrDefault("notify", "").split(",")) {
          if (!t.isBlank()) {
            notify.add(t.trim());
          }
        }
        out.add(new ReportSchedule(name, Cron.parse(cron), ReportRequest.parseSilos(fields.getOrDefault("silos", "")),
            range, ReportRequest.Format.parse(fields.getOrDefault("format", "xlsx")), List.copyOf(notify)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule." + name + ": " + e.getMessage(), e);
      }
    });
    return out;
  }
}
