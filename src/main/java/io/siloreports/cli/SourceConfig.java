package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.ingest.RawTable;
import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which raw source the jobs read: {@code source.type=files} ({@code input.dir}, Spark file-source options as
 * {@code source.file.<option>}), {@code source.type=kafka} (every {@code kafka.*} key is a consumer setting
 * passed through; topics {@code source.kafka.topic.<pipeline>}; streaming options {@code source.kafka.<option>}) or
 * {@code source.type=mysql} (the raw table of {@code source.mysql.*} in the {@code db.*} database).
 *
 * @param maxBytesPerBatch files: what a micro-batch admits at most ({@code source.max-bytes-per-batch}, 0: no limit)
 * @param kafkaStartSlack how much earlier than the first event time a Kafka batch read starts, in Kafka time
 *     (readings can be produced up to the allowed future skew before their event time)
 * @param table the MySQL raw table (read by {@code source.type=mysql} and {@code report.hot-source=mysql})
 * @param db the database of the raw table ({@code db.*}); null when none is configured
 */
public record SourceConfig(
    String type,
    String inputDir,
    Map<String, String> fileOptions,
    long maxBytesPerBatch,
    Map<String, String> kafkaOptions,
    Map<Pipeline, String> topics,
    Map<String, String> kafkaStreamOptions,
    Duration kafkaStartSlack,
    RawTable table,
    int tableMaxRows,
    Duration tableGapTimeout,
    Jdbc db) {

  public boolean kafka() {
    return type.equals("kafka");
  }

  public boolean mysql() {
    return type.equals("mysql");
  }

  public static SourceConfig from(Settings s) {
    Map<String, String> streamOptions = new LinkedHashMap<>(strip(s.withPrefix("source.kafka."), "source.kafka."));
    Map<Pipeline, String> topics = topics(s);
    topics.keySet().forEach(p -> streamOptions.remove("topic." + p.id));
    String type = s.get(Keys.SOURCE_TYPE);
    RawTable table = table(s);
    int maxRows = s.get(Keys.SOURCE_MYSQL_MAX_ROWS);
    Duration gapTimeout = s.get(Keys.SOURCE_MYSQL_GAP_TIMEOUT);
    Jdbc db = type.equals("mysql") ? Configs.requiredDb(s, "source.type is mysql") : Configs.db(s);
    if (type.equals("kafka")) {
      s.get(Keys.KAFKA_BOOTSTRAP_SERVERS); // fail now, with the key's name, if it is missing
      return new SourceConfig(type, null, Map.of(), 0, s.withPrefix("kafka."), topics, streamOptions,
          s.get(Keys.VALIDATION_MAX_FUTURE_SKEW), table, maxRows, gapTimeout, db);
    }
    return new SourceConfig(type, s.get(Keys.INPUT_DIR), strip(s.withPrefix("source.file."), "source.file."),
        s.get(Keys.SOURCE_MAX_BYTES_PER_BATCH), Map.of(), topics, Map.of(), Duration.ZERO, table, maxRows, gapTimeout, db);
  }

  private static RawTable table(Settings s) {
    try {
      return new RawTable(s.get(Keys.SOURCE_MYSQL_TABLE), s.get(Keys.SOURCE_MYSQL_ID_COLUMN),
          s.get(Keys.SOURCE_MYSQL_SILO_COLUMN), s.get(Keys.SOURCE_MYSQL_TS_COLUMN), s.get(Keys.SOURCE_MYSQL_VALUE_COLUMN));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("settings source.mysql.*: " + e.getMessage(), e);
    }
  }

  /** The topic of each pipeline. */
  static Map<Pipeline, String> topics(Settings s) {
    Map<Pipeline, String> topics = new EnumMap<>(Pipeline.class);
    topics.put(Pipeline.SILO_READINGS, s.get(Keys.SOURCE_KAFKA_TOPIC_READINGS));
    topics.put(Pipeline.ACTIVITY_EVENTS, s.get(Keys.SOURCE_KAFKA_TOPIC_EVENTS));
    return topics;
  }

  private static Map<String, String> strip(Map<String, String> m, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
    return out;
  }
}
