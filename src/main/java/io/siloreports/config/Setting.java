package io.siloreports.config;

import io.siloreports.model.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One declared setting: its key, value type, default, one-line doc and whether it is a secret. Declared once, in
 * {@link Keys}; the defaults layer, the environment variable ({@link #envName()}), {@code --help} and the
 * configuration table in the docs all come from the declaration.
 *
 * @param <T> the type a value parses to
 */
public final class Setting<T> {
  private final String key;
  private final Kind<T> kind;
  private final String defaultText;
  private final String doc;
  private final boolean secret;

  Setting(String key, Kind<T> kind, String defaultText, String doc, boolean secret) {
    this.key = key;
    this.kind = kind;
    this.defaultText = defaultText;
    this.doc = doc;
    this.secret = secret;
    if (defaultText != null) {
      parse(defaultText); // a declaration whose default does not parse is a bug, found at class load
    }
  }

  public String key() {
    return key;
  }

  /** The default as text, or null when the setting has none. */
  public String defaultText() {
    return defaultText;
  }

  public String doc() {
    return doc;
  }

  public boolean secret() {
    return secret;
  }

  /** What values look like, for help texts: {@code duration}, {@code true|false}, {@code files|kafka}, ... */
  public String typeName() {
    return kind.name();
  }

  /** The environment variable that sets this key: {@code report.output-dir} -> {@code SILO_REPORTS_REPORT_OUTPUT_DIR}. */
  public String envName() {
    return envName(key);
  }

  static String envName(String key) {
    return Settings.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Parses a value of this setting; the message names the key and what was expected. */
  public T parse(String text) {
    try {
      return kind.parser().apply(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "setting '" + key + "' has an invalid value '" + text + "': " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return key;
  }

  /** A value type: its name for help texts and its parser. */
  record Kind<T>(String name, Function<String, T> parser) {
    static final Kind<String> TEXT = new Kind<>("text", s -> s);
    static final Kind<Integer> INT = new Kind<>("integer", Integer::parseInt);
    static final Kind<Long> LONG = new Kind<>("integer", Long::parseLong);
    static final Kind<Double> NUMBER = new Kind<>("number", Kind::parseNumber);
    static final Kind<Boolean> BOOLEAN = new Kind<>("true|false", Kind::parseBoolean);
    static final Kind<Duration> DURATION = new Kind<>("duration", Kind::parseDuration);
    static final Kind<Instant> INSTANT = new Kind<>("instant", Times::parseInstant);
    /** A positive duration, or {@code off}: empty. */
    static final Kind<Optional<Duration>> DURATION_OR_OFF = new Kind<>("duration|off", Kind::parseDurationOrOff);

    private static Double parseNumber(String s) {
      double v = Double.parseDouble(s.trim());
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("not a finite number: " + s);
      }
      return v;
    }

    static Kind<String> oneOf(String... values) {
      List<String> allowed = List.of(values);
      return new Kind<>(String.join("|", values), s -> {
        if (!allowed.contains(s)) {
          throw new IllegalArgumentException("expected one of " + String.join(", ", values));
        }
        return s;
      });
    }

    static boolean parseBoolean(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1", "on" -> true;
        case "false", "no", "0", "off" -> false;
        default -> throw new IllegalArgumentException("expected true or false");
      };
    }

    static Optional<Duration> parseDurationOrOff(String s) {
      if (s.trim().equalsIgnoreCase("off")) {
        return Optional.empty();
      }
      Duration d = parseDuration(s);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("expected a positive duration, or off");
      }
      return Optional.of(d);
    }

    /** ISO-8601 durations (PT30M) or the short forms 500ms, 30s, 10m, 2h, 1d. */
    static Duration parseDuration(String s) {
      String v = s.trim().toLowerCase(Locale.ROOT);
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.matches("\\d+\\s*(ms|s|m|min|h|d)")) {
        long n = Long.parseLong(v.replaceAll("\\D", ""));
        String unit = v.replaceAll("[\\d\\s]", "");
        return switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m", "min" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      throw new IllegalArgumentException("expected a duration like PT30M, 30s, 10m, 2h or 1d");
    }
  }
}
