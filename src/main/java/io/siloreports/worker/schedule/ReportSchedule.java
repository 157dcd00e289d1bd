package io.siloreports.worker.schedule;

import io.siloreports.model.Times;
import io.siloreports.reportjob.ReportRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A report definition from configuration, {@code schedule.<name>.*}: when it runs ({@code cron}, five fields, or
 * {@code at}, {@code HH:mm} daily; read in {@code zone}, an IANA time zone, default UTC), for which silos
 * ({@code silos}, default all), over which range ({@code days}: that many whole local days before the run's local
 * day; otherwise {@code range} before the run's hour, default 1d), in which format ({@code format}, default xlsx) and
 * who to tell ({@code notify}: webhook URLs, {@code slack:}/{@code teams:} webhooks, SNS topic ARNs and
 * {@code mailto:} addresses, comma-separated; default the configured notifications) and whether its emails carry the
 * report's file ({@code attach}, true or false, default false).
 *
 * @param localDays the number of local days before the run's day the report covers; 0 means {@code range} instead
 * @param fields the fields as given (without the {@code schedule.<name>.} prefix): what a stored schedule keeps
 * @param since when the schedule was created: no run for a tick before it (null: the latest tick runs at start)
 */
public record ReportSchedule(String name, Cron cron, ZoneId zone, List<Integer> silos, Duration range, int localDays,
    ReportRequest.Format format, List<String> notifyTargets, boolean attachReport, Map<String, String> fields,
    Instant since) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final Pattern AT = Pattern.compile("([01][0-9]|2[0-3]):([0-5][0-9])");
  private static final Set<String> FIELDS = Set.of("cron", "at", "zone", "days", "silos", "range", "format", "notify",
      "attach");
  /** The most local days a schedule's range may cover (the longest range a report may have). */
  public static final int MAX_DAYS = (int) ReportRequest.MAX_RANGE.toDays() - 1;

  /** A schedule in UTC over {@code range} before the run's hour. */
  public ReportSchedule(String name, Cron cron, List<Integer> silos, Duration range, ReportRequest.Format format,
      List<String> notifyTargets) {
    this(name, cron, ZoneOffset.UTC, silos, range, 0, format, notifyTargets, false, Map.of("cron", cron.toString()),
        null);
  }

  public ReportSchedule {
    fields = java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  /** The schedule {@code name} of {@code fields} (as the settings give them), checked as the settings are. */
  public static ReportSchedule of(String name, Map<String, String> fields,
      java.util.function.Function<String, Duration> parseDuration) {
    Map<String, String> settings = new TreeMap<>();
    fields.forEach((field, value) -> settings.put(name + "." + field, value));
    if (settings.isEmpty()) {
      settings.put(name + ".cron", "");
    }
    return parse(settings, parseDuration).get(0);
  }

  /**
   * The request of the run at {@code tick}, cut-off at it: the {@code localDays} whole days (in {@link #zone}) before
   * the tick's local day, so 23 or 25 hours for a day with a clock change; or the whole hours of {@code range} before
   * the tick's hour.
   */
  public ReportRequest requestAt(Instant tick) {
    if (localDays > 0) {
      LocalDate day = LocalDate.ofInstant(tick, zone);
      return new ReportRequest(day.minusDays(localDays).atStartOfDay(zone).toInstant(),
          day.atStartOfDay(zone).toInstant(), silos, tick, format, notifyTargets, attachReport);
    }
    Instant to = Times.hourFloor(tick);
    return new ReportRequest(to.minus(range), to, silos, tick, format, notifyTargets, attachReport);
  }

  /**
   * The latest run at or before {@code now}, its cron read in the schedule's zone; null if none in eight years or it
   * is before the schedule was created (a schedule made at 10:05 for 10:00 daily first runs tomorrow).
   */
  public Instant latestRunAtOrBefore(Instant now) {
    Instant tick = cron.latestAtOrBefore(now, zone);
    return tick == null || since != null && tick.isBefore(since) ? null : tick;
  }

  /** This schedule, created at {@code createdAt}. */
  public ReportSchedule since(Instant createdAt) {
    return new ReportSchedule(name, cron, zone, silos, range, localDays, format, notifyTargets, attachReport, fields,
        createdAt);
  }

  /** A cron expression for {@code at} ({@code HH:mm}, daily); the reason when it is not a time of day. */
  public static Cron dailyAt(String at) {
    java.util.regex.Matcher m = AT.matcher(at.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("at must be a time of day HH:mm (00:00 to 23:59), got '" + at + "'");
    }
    return Cron.parse(Integer.parseInt(m.group(2)) + " " + Integer.parseInt(m.group(1)) + " * * *");
  }

  /** The fields with the defaults a stored schedule always has (its zone and format). */
  private static Map<String, String> withDefaults(Map<String, String> fields) {
    Map<String, String> out = new TreeMap<>(fields);
    out.putIfAbsent("zone", "UTC");
    out.putIfAbsent("format", "xlsx");
    if (!"true".equalsIgnoreCase(out.getOrDefault("attach", "").trim())) {
      out.remove("attach"); // false is the default: stored as absent
    }
    return out;
  }

  /** The IANA time zone named {@code text}; the reason when there is no such zone. */
  public static ZoneId zone(String text) {
    try {
      return ZoneId.of(text.trim());
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + text + "' (an IANA name such as Europe/Berlin, or"
          + " UTC)");
    }
  }

  /** {@code attach}: true or false; the reason otherwise. */
  private static boolean attach(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false", "" -> false;
      default -> throw new IllegalArgumentException("attach must be true or false, got '" + text + "'");
    };
  }

  /** A number of local days, 1 to {@link #MAX_DAYS}; the reason otherwise. */
  public static int days(String text) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("days must be a whole number of local days, got '" + text + "'");
    }
    if (n < 1 || n > MAX_DAYS) {
      throw new IllegalArgumentException("days must be 1 to " + MAX_DAYS + ", got " + n);
    }
    return n;
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
      String at = fields.get("at");
      if ((cron == null || cron.isBlank()) == (at == null || at.isBlank())) {
        throw new IllegalArgumentException("schedule." + name + ".cron is missing (e.g. '5 6 * * *': 06:05 daily)"
            + " or schedule." + name + ".at (e.g. 23:00); give one of them, not both");
      }
      try {
        Duration range = parseDuration.apply(fields.getOrDefault("range", "1d"));
        if (range.isNegative() || range.isZero() || range.toSeconds() % 3600 != 0) {
          throw new IllegalArgumentException("range must be a positive whole number of hours, got " + range);
        }
        out.add(new ReportSchedule(name, at != null && !at.isBlank() ? dailyAt(at) : Cron.parse(cron),
            zone(fields.getOrDefault("zone", "UTC")), ReportRequest.parseSilos(fields.getOrDefault("silos", "")),
            range, fields.containsKey("days") ? days(fields.get("days")) : 0,
            ReportRequest.Format.parse(fields.getOrDefault("format", "xlsx")),
            List.copyOf(ReportRequest.parseTargets(fields.get("notify"))),
            attach(fields.getOrDefault("attach", "false")), withDefaults(fields), null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule." + name + ": " + e.getMessage(), e);
      }
    });
    return out;
  }
}
