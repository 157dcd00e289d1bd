package io.siloreports.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layered key/value settings, built once at a command's edge and then turned into that command's typed config.
 * Later layers win: the declared defaults ({@link Keys}), the properties file ({@code --config}, or the file named
 * by {@code SILO_REPORTS_CONFIG}), environment variables ({@code SILO_REPORTS_<KEY>}: the key upper-cased with
 * '.' and '-' as '_', e.g. {@code SILO_REPORTS_REPORT_OUTPUT_DIR} sets {@code report.output-dir}), then flags
 * ({@code --conf key=value}, or a command's own flags such as {@code --job-id}). Every value remembers where it
 * came from, for {@link #describe()}.
 */
public final class Settings {
  public static final String ENV_PREFIX = "SILO_REPORTS_";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]+)}");
  /** A JDBC URL may carry a password in its query string. */
  private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");

  private final Map<String, String> values;
  private final Map<String, String> origin;
  /** The properties file of the second layer, or null. */
  private Path configFile;

  private Settings(Map<String, String> values, Map<String, String> origin) {
    this.values = values;
    this.origin = origin;
  }

  /** Settings of a command from its arguments; {@code flags} maps a command flag (without --) to its setting. */
  public static Settings load(List<String> args, Map<String, Setting<?>> flags, Map<String, String> env)
      throws IOException {
    Settings s = defaults();
    Map<String, String> given = parseFlags(args, flags);
    String file = given.containsKey("config") ? given.remove("config") : env.get(ENV_PREFIX + "CONFIG");
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file);
      if (!Files.isRegularFile(path)) {
        throw new IllegalArgumentException("config file not found: " + path.toAbsolutePath());
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(path)) {
        p.load(r);
      }
      p.stringPropertyNames().forEach(k -> s.put(k, p.getProperty(k).trim(), path.toString()));
      s.configFile = path.toAbsolutePath();
    }
    new TreeMap<>(env).forEach((k, v) -> {
      if (k.startsWith(ENV_PREFIX) && !k.equals(ENV_PREFIX + "CONFIG")) {
        s.put(keyForEnv(k), v, "env " + k);
      }
    });
    given.forEach((k, v) -> s.put(k, v, "flag"));
    return s;
  }

  /** The declared defaults and {@code values} over them (tests, embedding). */
  public static Settings of(Map<String, String> values) {
    Settings s = defaults();
    values.forEach((k, v) -> s.put(k, v, "given"));
    return s;
  }

  /** A copy with {@code key} set to a value that came from {@code from} (a secret read by reference, say). */
  public Settings withValue(String key, String value, String from) {
    Settings s = with(Map.of());
    s.put(key, value, from);
    return s;
  }

  /** A copy with some keys replaced. */
  public Settings with(Map<String, String> overrides) {
    Settings s = new Settings(new LinkedHashMap<>(values), new LinkedHashMap<>(origin));
    s.configFile = configFile;
    overrides.forEach((k, v) -> s.put(k, v, "given"));
    return s;
  }

  private static Settings defaults() {
    Settings s = new Settings(new LinkedHashMap<>(), new LinkedHashMap<>());
    for (Setting<?> d : Keys.all()) {
      if (d.defaultText() != null) {
        s.put(d.key(), d.defaultText(), "default");
      }
    }
    return s;
  }

  /** A declared key's variable names it; any other becomes its dotted lower-case form (spark.*, kafka.*). */
  private static String keyForEnv(String envName) {
    for (Setting<?> d : Keys.all()) {
      if (d.envName().equals(envName)) {
        return d.key();
      }
    }
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private void put(String k, String v, String from) {
    values.put(k.trim(), v);
    origin.put(k.trim(), from);
  }

  private static Map<String, String> parseFlags(List<String> args, Map<String, Setting<?>> flags) {
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
      } else if (flags.containsKey(name)) {
        out.put(flags.get(name).key(), value);
      } else {
        List<String> known = new ArrayList<>();
        flags.keySet().forEach(f -> known.add("--" + f));
        known.add("--config <file>");
        known.add("--conf key=value");
        throw new IllegalArgumentException("unknown flag --" + name + "; known: " + String.join(", ", known));
      }
    }
    return out;
  }

  /** The value of a declared setting (its default when nothing set it); fails naming the key when unset. */
  public <T> T get(Setting<T> setting) {
    return find(setting).orElseThrow(() -> missing(setting.key()));
  }

  /** The value of a declared setting, or empty when neither a layer nor the declaration gives one. */
  public <T> Optional<T> find(Setting<T> setting) {
    return find(setting.key()).map(setting::parse);
  }

  /** The text of any key, {@code ${other.key}} inside it replaced by that key's value; empty when unset or blank. */
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
    Matcher m = REFERENCE.matcher(v.trim());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String ref = m.group(1);
      String sub = find(ref, depth + 1).orElseThrow(() -> new IllegalArgumentException(
          "setting '" + key + "' refers to ${" + ref + "}, which is not set"));
      m.appendReplacement(out, Matcher.quoteReplacement(sub));
    }
    m.appendTail(out);
    return Optional.of(out.toString());
  }

  /** The text of any key; fails naming the key and its environment variable when it is unset. */
  public String get(String key) {
    return find(key).orElseThrow(() -> missing(key));
  }

  private static IllegalArgumentException missing(String key) {
    return new IllegalArgumentException("missing setting '" + key + "' (set it in the config file, as --conf " + key
        + "=..., or as env " + Setting.envName(key) + ")");
  }

  /** All keys starting with {@code prefix}, prefix kept (e.g. every {@code spark.*} key), references resolved. */
  public Map<String, String> withPrefix(String prefix) {
    Map<String, String> out = new TreeMap<>();
    values.keySet().forEach(k -> {
      if (k.startsWith(prefix)) {
        find(k).ifPresent(v -> out.put(k, v));
      }
    });
    return out;
  }

  /**
   * How a child process gets these settings: the config file and every non-secret flag as arguments
   * ({@code --config F --conf k=v ...}), every secret flag as its environment variable (never on a command line, where
   * any user of the machine can read it). Values from the environment reach a child by inheritance. Keys in
   * {@code except} are left out (a child's own job id and request, say).
   */
  public record Forwarding(List<String> args, Map<String, String> env) {}

  public Forwarding forwarding(java.util.Set<String> except) {
    List<String> args = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    if (configFile != null) {
      args.add("--config");
      args.add(configFile.toString());
    }
    new TreeMap<>(values).forEach((k, v) -> {
      String from = origin.get(k);
      if (except.contains(k) || v == null || !("flag".equals(from) || "given".equals(from))) {
        return;
      }
      if (Keys.isSecret(k)) {
        env.put(Setting.envName(k), v);
      } else {
        args.add("--conf");
        args.add(k + "=" + v);
      }
    });
    return new Forwarding(List.copyOf(args), Map.copyOf(env));
  }

  /** Keys set by a file, the environment or a flag that no declaration or pass-through family knows (typos). */
  public List<String> unknownKeys() {
    List<String> out = new ArrayList<>();
    new TreeMap<>(values).keySet().forEach(k -> {
      if (!Keys.isKnown(k)) {
        out.add(k + " (" + origin.get(k) + ")");
      }
    });
    return out;
  }

  /** One line per key with its value and where it came from; secrets are masked, so this can be logged. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(values).forEach((k, v) -> {
      if (v == null || v.isBlank()) {
        return;
      }
      String shown = Keys.isSecret(k) ? "****" : PASSWORD_IN_URL.matcher(v).replaceAll("$1****");
      sb.append("  ").append(k).append(" = ").append(shown)
          .append("  (").append(origin.get(k)).append(")\n");
    });
    return sb.toString();
  }
}
