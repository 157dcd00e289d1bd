package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which raw source the jobs read: {@code source.type=files} ({@code input.dir}, Spark file-source options as
 * {@code source.file.<option>}) or {@code source.type=kafka} (every {@code kafka.*} key is a consumer setting
 * passed through; topics {@code source.kafka.topic.<pipeline>}; streaming options {@code source.kafka.<option>}).
 *
 * @param kafkaStartSlack how much earlier than the first event time a Kafka batch read starts, in Kafka time
 *     (readings can be produced up to the allowed future skew before their event time)
 */
public record SourceConfig(
    boolean kafka,
    String inputDir,
    Map<String, String> fileOptions,
    Map<String, String> kafkaOptions,
    Map<Pipeline, String> topics,
    Map<String, String> kafkaStreamOptions,
    Duration kafkaStartSlack) {

  public static SourceConfig from(Settings s) {
    Map<String, String> streamOptions = new LinkedHashMap<>(strip(s.withPrefix("source.kafka."), "source.kafka."));
    Map<Pipeline, String> topics = topics(s);
    topics.keySet().forEach(p -> streamOptions.remove("topic." + p.id));
    if (s.get(Keys.SOURCE_TYPE).equals("kafka")) {
      s.get(Keys.KAFKA_BOOTSTRAP_SERVERS); // fail now, with the key's name, if it is missing
      return new SourceConfig(true, null, Map.of(), s.withPrefix("kafka."), topics, streamOptions,
          s.get(Keys.VALIDATION_MAX_FUTURE_SKEW));
    }
    return new SourceConfig(false, s.get(Keys.INPUT_DIR), strip(s.withPrefix("source.file."), "source.file."),
        Map.of(), topics, Map.of(), Duration.ZERO);
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
