package io.siloreports.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape in Prometheus' text format (version 0.0.4), read back independently of the client library that wrote
 * it: every sample as its name, its labels and its value. Comment lines ({@code # HELP}, {@code # TYPE}) are skipped.
 */
public final class PrometheusText {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** A sample: metric name, labels in name order, value. */
  public record Sample(String name, Map<String, String> labels, double value) {
    /** The series as PromQL writes it, {@code name{a="x",b="y"}}. */
    public String series() {
      StringBuilder b = new StringBuilder(name);
      if (!labels.isEmpty()) {
        b.append('{');
        labels.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ",").append(k).append("=\"")
            .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        b.append('}');
      }
      return b.toString();
    }
  }

  private final Map<String, Sample> samples = new LinkedHashMap<>();
  private final String text;

  public PrometheusText(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a sample line of the text format: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
        }
      }
      Sample s = new Sample(m.group(1), labels, parse(m.group(3)));
      samples.put(s.series(), s);
    }
  }

  private static double parse(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  public Map<String, Sample> samples() {
    return samples;
  }

  public String text() {
    return text;
  }

  /** The sum of the samples of {@code name} whose labels include {@code labels} ({@code "k", "v", ...}); 0 if none. */
  public double sum(String name, String... labels) {
    return samples.values().stream().filter(s -> s.name().equals(name) && has(s, labels))
        .mapToDouble(Sample::value).sum();
  }

  /** Whether a sample of {@code name} with {@code labels} is there. */
  public boolean has(String name, String... labels) {
    return samples.values().stream().anyMatch(s -> s.name().equals(name) && has(s, labels));
  }

  private static boolean has(Sample s, String... labels) {
    for (int i = 0; i < labels.length; i += 2) {
      if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
        return false;
      }
    }
    return true;
  }
}
