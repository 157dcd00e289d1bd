package io.siloreports.report.statistics;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the page draws and lists for a finished report, kept small enough for the job's summary column: per silo its
 * hourly averages over the range (one point per hour, or per {@code stepHours} hours past {@link #MAX_POINTS}), and
 * the first {@link #MAX_LISTED} anomalies and gaps (their counts stay exact in the summary's figures); the first
 * {@link #MAX_CHARTED_SILOS} silos carry averages.
 */
final class ReportFindings {
  /** 31 days of hours: a month's report charts every hour; a longer one averages {@code stepHours} hours per point. */
  static final int MAX_POINTS = 744;
  static final int MAX_LISTED = 200;
  /** Silos past the first 500 get no chart: 500 x 744 points keep the summary a few MB (MySQL's MEDIUMTEXT: 16 MB). */
  static final int MAX_CHARTED_SILOS = 500;

  private final Instant from;
  private final int stepHours;
  private final int points;
  private final List<Anomaly> anomalies = new ArrayList<>();
  private final List<Gap> gaps = new ArrayList<>();

  ReportFindings(Instant from, Instant end) {
    this.from = from;
    long hours = Math.max(0, Duration.between(from, end).toHours());
    this.stepHours = (int) Math.max(1, (hours + MAX_POINTS - 1) / MAX_POINTS);
    this.points = (int) ((hours + stepHours - 1) / stepHours);
  }

  /** The silo's averages point by point (null where no hour of the point has data), rounded as the sheets show. */
  BigDecimal[] averages(List<SiloHour> hours) {
    BigDecimal[] sums = new BigDecimal[points];
    long[] counts = new long[points];
    for (SiloHour h : hours) {
      long i = Duration.between(from, h.hour()).toHours() / stepHours;
      if (h.hour().isBefore(from) || i >= points) {
        continue;
      }
      int p = (int) i;
      sums[p] = sums[p] == null ? h.sumExact() : sums[p].add(h.sumExact());
      counts[p] += h.count();
    }
    BigDecimal[] out = new BigDecimal[points];
    for (int p = 0; p < points; p++) {
      if (counts[p] > 0) {
        out[p] = sums[p].divide(BigDecimal.valueOf(counts[p]), MathContext.DECIMAL64).setScale(2, RoundingMode.HALF_UP);
      }
    }
    return out;
  }

  void add(SiloAnalysis analysis) {
    for (Anomaly a : analysis.anomalies()) {
      if (anomalies.size() < MAX_LISTED) {
        anomalies.add(a);
      }
    }
    for (Gap g : analysis.gaps()) {
      if (gaps.size() < MAX_LISTED) {
        gaps.add(g);
      }
    }
  }

  /** Writes the series' shape and the listed anomalies and gaps into the summary's root. */
  void write(ObjectNode root) {
    ObjectNode series = root.putObject("series");
    series.put("from", from.toString());
    series.put("stepHours", stepHours);
    series.put("points", points);
    series.put("chartedSilosAtMost", MAX_CHARTED_SILOS);
    root.put("listedAtMost", MAX_LISTED);
    ArrayNode list = root.putArray("anomalyList");
    for (Anomaly a : anomalies) {
      ObjectNode o = list.addObject();
      o.put("silo", a.siloId());
      o.put("hour", a.hour().toString());
      o.put("kind", a.kind().label());
      o.put("hours", a.hours());
      o.put("average", a.average());
      o.put("reason", a.reason());
    }
    ArrayNode gapList = root.putArray("gapList");
    for (Gap g : gaps) {
      ObjectNode o = gapList.addObject();
      o.put("silo", g.siloId());
      o.put("from", g.from().toString());
      o.put("to", g.to().toString());
      o.put("hours", g.hours());
    }
  }

  static void putAverages(ObjectNode silo, BigDecimal[] averages) {
    ArrayNode a = silo.putArray("hourlyAverages");
    for (BigDecimal v : averages) {
      if (v == null) {
        a.addNull();
      } else {
        a.add(v);
      }
    }
  }
}
