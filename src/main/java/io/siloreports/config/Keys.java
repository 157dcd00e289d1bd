package io.siloreports.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every setting of every command, declared once: key, type, default, one-line doc, secret or not. The defaults
 * layer of {@link Settings}, the {@code SILO_REPORTS_<KEY>} environment variables, each command's {@code --help}
 * and the table in {@code docs/configuration.md} (checked by a test) are made from these declarations. Keys
 * under a {@link Family} prefix ({@code spark.*}, {@code kafka.*}, ...) are passed through to Spark or Kafka.
 *
 * <p>The declarations are in three interfaces by area, {@link DataKeys}, {@link JobKeys} and {@link ServiceKeys},
 * which this class implements: their constants are members of {@code Keys}, so the code reads {@code Keys.INPUT_DIR}
 * as it always has (some 200 call sites, no import to change) and each setting is still named once, with no copy
 * here to keep in step. The order of the docs' table and of {@code --help} is the list of groups in {@code GROUPS},
 * whichever class is initialised first: a group fills itself while its interface is initialised, which refers to no
 * other declaring class (a holder must never refer to {@code Keys}), and is read here only once that is complete.
 */
public final class Keys implements DataKeys, JobKeys, ServiceKeys {
  /** A group of settings, a heading in the docs' table. */
  public record Group(String title, List<Setting<?>> settings) {}

  /** Keys under a prefix that are passed through to another component; declared once as a family. */
  public record Family(String prefix, String doc) {}

  /** The docs' headings in order; reading a group's constant initialises its interface, which completes the group. */
  private static final List<Group> GROUPS =
      Stream.of(WHERE_DATA_LIVES, RAW_INPUT, AGGREGATES, STREAM, VALIDATION, REPORT, BACKFILL, SAMPLE_DATA_AND_STATUS,
              REPORT_SERVICE)
          .map(SettingGroup::group)
          .toList();
  private static final Map<String, Setting<?>> BY_KEY = indexByKey(GROUPS);

  private Keys() {}

  /** Prefixes passed through; a key under one of them is known even though it is not declared. */
  public static final List<Family> FAMILIES = List.of(
      new Family("spark.", "passed to the SparkSession (spark-submit's own settings win), e.g."
          + " `spark.sql.shuffle.partitions`"),
      new Family("kafka.", "Kafka client settings, passed to the consumer and `produce` (MSK security settings)"),
      new Family("source.kafka.", "Spark Kafka source options of the stream, e.g. `source.kafka.maxOffsetsPerTrigger`"),
      new Family("source.file.", "Spark file source options of the stream, e.g. `source.file.maxFilesPerTrigger`"),
      new Family("schedule.", "report definitions that seed the stored schedules: `schedule.<name>.cron` (5 fields)"
          + " or `.at` (HH:mm), `.zone` (IANA, default UTC), `.days` (previous local days), `.silos`,"
          + " `.range` (before the run's hour, default 1d), `.format` (xlsx, csv, pdf), `.notify` (webhook URLs, SNS ARNs)"));

  /** Every declared setting, in declaration order. */
  public static List<Setting<?>> all() {
    return List.copyOf(BY_KEY.values());
  }

  public static List<Group> groups() {
    return GROUPS;
  }

  public static Optional<Setting<?>> byKey(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  /** True for a declared key or a key under a family prefix. */
  public static boolean isKnown(String key) {
    return BY_KEY.containsKey(key) || FAMILIES.stream().anyMatch(f -> key.startsWith(f.prefix()));
  }

  /** Secrets are declared; undeclared pass-through keys are judged by their name (a JAAS config holds one). */
  public static boolean isSecret(String key) {
    Setting<?> s = BY_KEY.get(key);
    if (s != null) {
      return s.secret();
    }
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.contains("token") || k.contains("credential")
        || k.contains("jaas");
  }

  /** The configuration table of the docs, made from the declarations. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | default | meaning |\n| --- | --- | --- |\n");
    for (Group g : GROUPS) {
      sb.append("| **").append(g.title()).append("** | | |\n");
      for (Setting<?> s : g.settings()) {
        String def = s.secret() ? "(secret)" : s.defaultText() == null ? "—" : "`" + s.defaultText() + "`";
        sb.append("| `").append(s.key()).append("` | ").append(def).append(" | ").append(s.doc().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    sb.append("| **Passed through** | | |\n");
    for (Family f : FAMILIES) {
      sb.append("| `").append(f.prefix()).append("*` | | ").append(f.doc()).append(" |\n");
    }
    return sb.toString();
  }

  private static Map<String, Setting<?>> indexByKey(List<Group> groups) {
    Map<String, Setting<?>> byKey = new LinkedHashMap<>();
    for (Group g : groups) {
      for (Setting<?> s : g.settings()) {
        if (byKey.put(s.key(), s) != null) {
          throw new IllegalStateException("setting " + s.key() + " is declared twice");
        }
      }
    }
    return byKey;
  }
}
