package io.siloreports.report.statistics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything the statistics found about one silo: its summary, its anomalies and gaps, and per highlighted hour the
 * kind of anomaly it belongs to (a flat line highlights every hour of it).
 */
public record SiloAnalysis(SiloSummary summary, List<Anomaly> anomalies, List<Gap> gaps, Map<Instant, String> flags) {

  /** The kind of anomaly {@code hour} belongs to, or null. */
  public String flag(Instant hour) {
    return flags.get(hour);
  }
}
