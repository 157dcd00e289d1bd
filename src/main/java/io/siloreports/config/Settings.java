package io.siloreports.config;

import io.siloreports.model.Times;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Layered key/value settings, built once at a job's edge and then turned into that job's typed config.
 * Later layers win: built-in defaults, the properties file ({@code --config}, or the file named by
 * SILO_REPORTS_CONFIG), environment variables ({@code SILO_REPORTS_WAREHOUSE_DIR} sets
 * {@code warehouse.dir}, {@code SILO_REPORTS_REPORT_OUTPUT_DIR} sets {@code report.output-dir}), then flags
 * ({@code --conf key=value}, or a command's own flags such as {@code --job-id}).
 */
public final class Settings {
  public static final String ENV_PREFIX = "SILO_REPORTS_";
  private static final String DEFAULTS_RESOURCE = "/silo-reports-defaults.properties";

  private final Map<String, String> values;
  private final Map<String, String> origin;

  private Settings(Map<String, String> values, Map<String, String> origin) {
    this.values = values;
    this.origin = origin;
  }

  /** Builds settings for a command from its arguments; {@code flagKeys} maps a command flag to its key. */
  public static Settings load(List<String> args, Map<String, String> flagKeys, Map<String, String> env)
      throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> origin = new LinkedHashMap<>();
    try (var in = Settings.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        p.stringPropertyNames().forEach(k -> put(values, origin, k, p.getProperty(k), "default"));
      }
    }
    Map<String, String> flags = parseFlags(args, flagKeys);
    String file = flags.containsKey("config") ? flags.remove("config") : env.get(ENV_PREFIX + "CONFIG");
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("config file not found: " + path.toAbsolutePath());
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(path)) {
        p.load(r);
      }
      p.stringPropertyNames().forEach(k -> put(values, origin, k, p.getProperty(k).trim(), path.toString()));
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && !k.equals(ENV_PREFIX + "CONFIG")) {
            put(values, origin, keyForEnv(k.substring(ENV_PREFIX.length()), values), v, "env " + k);
          }
        });
    flags.forEach((k, v) -> put(values, origin, k, v, "flag"));
    return new Settings(values, origin);
  }

  /** Settings from a plain map (tests, embedding). */
  public static Settings of(Map<String, String> values) {
    Map<String, String> origin = new LinkedHashMap<>();
    values.keySet().forEach(k -> origin.put(k, "given"));
    return new Settings(new LinkedHashMap<>(values), origin);
  }

  /** A copy with some keys replaced. */
  public Settings with(Map<String, String> overrides) {
    Map<String, String> v = new LinkedHashMap<>(values);
    Map<String, String> o = new LinkedHashMap<>(origin);
    overrides.forEach((k, val) -> put(v, o, k, val, "given"));
    return new Settings(v, o);
  }

  /**
   * Environment names cannot hold '.', '-' or lower case: REPORT_OUTPUT_DIR names the known key
   * {@code report.output-dir}; an unknown name becomes its dotted lower-case form.
   */
  private static String keyForEnv(String envName, Map<String, String> known) {
    String norm = normalize(envName);
    for (String k : known.keySet()) {
      if (normalize(k).equals(norm)) {
        return k;
      }
    }
    return envName.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static String normalize(String key) {
    return key.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
  }

  private static void put(
      Map<String, String> values, Map<String, String> origin, String k, String v, String from) {
    values.put(k.trim(), v);
    origin.put(k.trim(), from);
  }

  private static Map<String, String> parseFlags(List<String> args, Map<String, String> flagKeys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "' (flags look like --name value)");
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq > 0 && !name.startsWith("conf")) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        value = "true";
      }
      if (name.equals("conf") || name.startsWith("conf=")) {
        String kv = name.startsWith("conf=") ? name.substring(5) : value;
        int e = kv.indexOf('=');
        if (e <= 0) {
          throw new IllegalArgumentException("--conf expects key=value, got '" + kv + "'");
        }
        out.put(kv.substring(0, e).trim(), kv.substring(e + 1).trim());
      } else if (name.equals("config")) {
        out.put("config", value);
      } else if (flagKeys.containsKey(name)) {
        out.put(flagKeys.get(name), value);
      } else {
        throw new IllegalArgumentException(
            "unknown flag --" + name + "; known: " + String.join(", ", knownFlags(flagKeys)));
      }
    }
    return out;
  }

  private static List<String> knownFlags(Map<String, String> flagKeys) {
    List<String> known = new ArrayList<>();
    flagKeys.keySet().forEach(f -> known.add("--" + f));
    known.add("--config <file>");
    known.add("--conf key=value");
    return known;
  }

  /** The value of {@code key}; {@code ${other.key}} inside it is replaced by that key's value. */
  public Optional<String> find(String key) {
    return find(key, 0);
  }

  private Optional<String> find(String key, int depth) {
    String v = values.get(key);
    if (v == null || v.isBlank()) {
      return Optional.empty();
    }
    if (depth > 10) {
      throw new IllegalArgumentException("setting '" + key + "' refers to itself through ${...}");
    }
    java.util.regex.Matcher m = REFERENCE.matcher(v.trim());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String ref = m.group(1);
      String sub = find(ref, depth + 1).orElseThrow(() -> new IllegalArgumentException(
          "setting '" + key + "' refers to ${" + ref + "}, which is not set"));
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(sub));
    }
    m.appendTail(out);
    return Optional.of(out.toString());
  }

  private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile("\\$\\{([^}]+)}");

  public String get(String key) {
    return find(key)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "missing setting '" + key + "' (set it in the config file, as --conf " + key
                        + "=..., or as env " + ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_')
                        + ")"));
  }

  public String get(String key, String fallback) {
    return find(key).orElse(fallback);
  }

  public int getInt(String key, int fallback) {
    return find(key).map(v -> parse(key, v, Integer::parseInt)).orElse(fallback);
  }

  public long getLong(String key, long fallback) {
    return find(key).map(v -> parse(key, v, Long::parseLong)).orElse(fallback);
  }

  public boolean getBoolean(String key, boolean fallback) {
    return find(key).map(v -> parse(key, v, Settings::parseBoolean)).orElse(fallback);
  }

  /** ISO-8601 durations (PT30M) or the short forms 30s, 10m, 2h, 1d. */
  public Duration getDuration(String key, Duration fallback) {
    return find(key).map(v -> parse(key, v, Settings::parseDuration)).orElse(fallback);
  }

  public Optional<Instant> findInstant(String key) {
    return find(key).map(v -> parse(key, v, Times::parseInstant));
  }

  /** All keys starting with {@code prefix}, prefix kept (e.g. every {@code spark.*} key). */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** One line per key with where it came from; secrets are masked so this can be logged. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(values)
        .forEach((k, v) -> sb.append("  ").append(k).append(" = ").append(isSecret(k) ? "****" : v)
            .append("  (").append(origin.get(k)).append(")\n"));
    return sb.toString();
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential");
  }

  private interface Parser<T> {
    T parse(String s);
  }

  private static <T> T parse(String key, String value, Parser<T> parser) {
    try {
      return parser.parse(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("setting '" + key + "' has an invalid value '" + value + "': "
          + e.getMessage(), e);
    }
  }

  private static boolean parseBoolean(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

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
