package io.siloreports.reportjob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.model.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a report job was asked for: stored as the {@code params} JSON of its {@code report_jobs} row, so a
 * job created by the API and one started from the command line carry the same thing. Null means "default".
 *
 * @param from first hour; default {@code to} minus the configured number of days
 * @param to end of the range (exclusive); default the end of the cut-off's hour
 * @param silos silos to report; empty means every silo with data in the range
 * @param asOf the cut-off; default the time the job starts
 * @param format the output: an Excel workbook (the default), a zip of CSV files or a PDF document
 * @param notifyTargets where to say the job finished (webhook URLs, SNS topic ARNs, {@code mailto:} addresses); empty
 *     means the configured default
 * @param attachReport whether an email about the finished job carries the report's file (up to
 *     {@code notify.email.max-attachment-bytes}); other targets get the link either way
 */
public record ReportRequest(Instant from, Instant to, List<Integer> silos, Instant asOf, Format format,
    List<String> notifyTargets, boolean attachReport) {
  /** The most silos one report may name. */
  public static final int MAX_SILOS = 10_000;

  /** The {@code report_type} of every job this system runs: hourly silo aggregates. */
  public static final String REPORT_TYPE = "silo_hourly";

  /** The longest range a report may cover (about ten years): more is a mistake or an attack. */
  public static final Duration MAX_RANGE = Duration.ofDays(3_700);
  /** How far past now a cut-off may be: clocks differ a little, a report of the future is a mistake. */
  public static final Duration MAX_AS_OF_AHEAD = Duration.ofDays(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cut-off and range a request means once its defaults are applied. */
  public record Resolved(Instant from, Instant to, Instant asOf) {}

  /** What a report is written as. */
  public enum Format {
    XLSX("silo_data_report.xlsx"),
    CSV("silo_data_report.zip"),
    PDF("silo_data_report.pdf");

    public final String fileName;

    Format(String fileName) {
      this.fileName = fileName;
    }

    /** {@code xlsx}, {@code csv} or {@code pdf} (any case). */
    public static Format parse(String text) {
      for (Format f : values()) {
        if (f.name().equalsIgnoreCase(text.trim())) {
          return f;
        }
      }
      throw new IllegalArgumentException("format must be xlsx, csv or pdf, got '" + text + "'");
    }

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public ReportRequest {
    silos = silos == null ? List.of() : List.copyOf(silos);
    notifyTargets = notifyTargets == null ? List.of() : List.copyOf(notifyTargets);
  }

  /** A request in the default format with the default notifications. */
  public ReportRequest(Instant from, Instant to, List<Integer> silos, Instant asOf) {
    this(from, to, silos, asOf, null, List.of());
  }

  /** A request whose emails carry the link only. */
  public ReportRequest(Instant from, Instant to, List<Integer> silos, Instant asOf, Format format,
      List<String> notifyTargets) {
    this(from, to, silos, asOf, format, notifyTargets, false);
  }

  /** This request with every field {@code override} sets replacing its own (flags given to a run of a stored job). */
  public ReportRequest overriddenBy(ReportRequest override) {
    return new ReportRequest(
        override.from() != null ? override.from() : from,
        override.to() != null ? override.to() : to,
        !override.silos().isEmpty() ? override.silos() : silos,
        override.asOf() != null ? override.asOf() : asOf,
        override.format() != null ? override.format() : format,
        !override.notifyTargets().isEmpty() ? override.notifyTargets() : notifyTargets,
        override.attachReport() || attachReport);
  }

  /**
   * The cut-off and range with the defaults applied: the cut-off {@code now}, {@code to} the end of the cut-off's
   * hour, {@code from} {@code defaultDays} before {@code to}.
   */
  public Resolved resolve(Instant now, int defaultDays) {
    Instant cutoff = asOf != null ? asOf : now;
    Instant end = to != null ? to : Times.hourCeil(cutoff);
    return new Resolved(from != null ? from : end.minus(Duration.ofDays(defaultDays)), end, cutoff);
  }

  /**
   * Checks the request as it will run, after its defaults: {@code from} before {@code to}, at most
   * {@link #MAX_RANGE} apart, a cut-off neither more than {@link #MAX_RANGE} before {@code now} nor more than
   * {@link #MAX_AS_OF_AHEAD} after it, a range starting at most {@link #MAX_RANGE} before {@code now} and ending at
   * most {@link #MAX_AS_OF_AHEAD} after the cut-off (a report of hours nobody can have data for is a mistake). Throws {@link IllegalArgumentException} with the reason.
   */
  public Resolved requireRunnable(Instant now, int defaultDays) {
    Resolved r = resolve(now, defaultDays);
    String given = " (" + (from == null ? "from defaulted to " : "from ") + r.from() + ", "
        + (to == null ? "to defaulted to " : "to ") + r.to() + ")";
    if (!r.from().isBefore(r.to())) {
      throw new IllegalArgumentException("from must be before to" + given);
    }
    if (Duration.between(r.from(), r.to()).compareTo(MAX_RANGE) > 0) {
      throw new IllegalArgumentException("the range is longer than " + MAX_RANGE.toDays() + " days" + given);
    }
    if (r.asOf().isBefore(now.minus(MAX_RANGE)) || r.asOf().isAfter(now.plus(MAX_AS_OF_AHEAD))) {
      throw new IllegalArgumentException("as_of must be at most " + MAX_RANGE.toDays() + " days before now and "
          + MAX_AS_OF_AHEAD.toDays() + " day after it, got " + r.asOf());
    }
    if (r.from().isBefore(now.minus(MAX_RANGE)) || r.to().isAfter(r.asOf().plus(MAX_AS_OF_AHEAD))) {
      throw new IllegalArgumentException("the range must start at most " + MAX_RANGE.toDays() + " days before now"
          + " and end at most " + MAX_AS_OF_AHEAD.toDays() + " day after the cut-off (" + r.asOf() + ")" + given);
    }
    return r;
  }

  /** The format, the default (xlsx) when none was asked for. */
  public Format formatOrDefault() {
    return format == null ? Format.XLSX : format;
  }

  public static ReportRequest fromJson(String json) {
    if (json == null || json.isBlank()) {
      return new ReportRequest(null, null, List.of(), null);
    }
    try {
      JsonNode n = JSON.readTree(json);
      List<Integer> silos = new ArrayList<>();
      if (n.hasNonNull("silos")) {
        n.get("silos").forEach(s -> silos.add(s.asInt()));
      }
      List<String> notify = new ArrayList<>();
      if (n.hasNonNull("notify")) {
        n.get("notify").forEach(t -> notify.add(t.asText()));
      }
      return new ReportRequest(instant(n, "from"), instant(n, "to"), silos, instant(n, "as_of"),
          n.hasNonNull("format") ? Format.parse(n.get("format").asText()) : null, notify,
          n.path("attach").asBoolean(false));
    } catch (Exception e) {
      throw new IllegalArgumentException("report params are not valid JSON: " + e.getMessage(), e);
    }
  }

  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    if (from != null) {
      n.put("from", from.toString());
    }
    if (to != null) {
      n.put("to", to.toString());
    }
    if (!silos.isEmpty()) {
      silos.forEach(n.putArray("silos")::add);
    }
    if (asOf != null) {
      n.put("as_of", asOf.toString());
    }
    if (format != null) {
      n.put("format", format.id());
    }
    if (!notifyTargets.isEmpty()) {
      notifyTargets.forEach(n.putArray("notify")::add);
    }
    if (attachReport) {
      n.put("attach", true);
    }
    return n.toString();
  }

  /**
   * Notification targets written comma-separated ({@code notify.targets}, a schedule's {@code notify} and
   * {@code recipients}): each trimmed, blanks dropped; null reads as none.
   */
  public static List<String> parseTargets(String text) {
    List<String> out = new ArrayList<>();
    if (text != null) {
      for (String t : text.split(",")) {
        if (!t.isBlank()) {
          out.add(t.trim());
        }
      }
    }
    return out;
  }

  /** Parses "1,2,5-8" into silo ids. */
  public static List<Integer> parseSilos(String text) {
    List<Integer> out = new ArrayList<>();
    if (text == null || text.isBlank() || text.equalsIgnoreCase("all")) {
      return out;
    }
    String shown = text.length() <= 60 ? text : text.substring(0, 60) + "...";
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int a;
      int b;
      try {
        int dash = p.indexOf('-', 1);
        a = Integer.parseInt(dash > 0 ? p.substring(0, dash).trim() : p);
        b = dash > 0 ? Integer.parseInt(p.substring(dash + 1).trim()) : a;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("silos must look like 1,2,5-8; got '" + shown + "'");
      }
      if (a < 0 || b < 0) {
        throw new IllegalArgumentException("silo ids are non-negative; got '" + shown + "'");
      }
      if (b < a) {
        throw new IllegalArgumentException("silo range " + a + "-" + b + " runs backwards");
      }
      // Checked before the range is expanded: "0-2147483647" must not fill the heap.
      if ((long) b - a + 1 + out.size() > MAX_SILOS) {
        throw new IllegalArgumentException("at most " + MAX_SILOS + " silos per report; got '" + shown + "'");
      }
      for (int i = a; i <= b; i++) {
        out.add(i);
      }
    }
    return out;
  }

  private static Instant instant(JsonNode n, String field) {
    return n.hasNonNull(field) ? Times.parseInstant(n.get(field).asText()) : null;
  }
}
