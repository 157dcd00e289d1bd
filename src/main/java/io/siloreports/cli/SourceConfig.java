package io.siloreports.cli;

import io.siloreports.ingest.KafkaSource;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RawSource;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;

import io.siloreports.config.Settings;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which raw source the jobs read, from {@code source.*} settings: {@code source.type=files} (the embedded
 * default: {@code input.dir}, Spark file-source options as {@code source.file.<option>}) or
 * {@code source.type=kafka} (every {@code kafka.*} key is a consumer setting passed through, e.g.
 * {@code kafka.bootstrap.servers}, {@code kafka.security.protocol}; topics {@code source.kafka.topic.<pipeline>};
 * streaming options {@code source.kafka.<option>} such as {@code startingOffsets}, {@code maxOffsetsPerTrigger}).
 */
public record SourceConfig(
    String type,
    String inputDir,
    Map<String, String> fileOptions,
    Map<String, String> kafkaOptions,
    Map<Pipeline, String> topics,
    Map<String, String> kafkaStreamOptions,
    Duration kafkaStartSlack) {

  public static SourceConfig from(Settings s) {
    String type = s.get("source.type", "files");
    Map<String, String> fileOptions = strip(s.withPrefix("source.file."), "source.file.");
    Map<String, String> streamOptions = new LinkedHashMap<>(strip(s.withPrefix("source.kafka."), "source.kafka."));
    Map<Pipeline, String> topics = new EnumMap<>(Pipeline.class);
    for (Pipeline p : Pipeline.values()) {
      String topic = streamOptions.remove("topic." + p.id);
      topics.put(p, topic == null ? p.id : topic);
    }
    streamOptions.putIfAbsent("startingOffsets", "earliest");
    return switch (type) {
      case "files" -> new SourceConfig(type, s.get("input.dir"), fileOptions, Map.of(), topics, Map.of(), Duration.ZERO);
      case "kafka" -> {
        s.get("kafka.bootstrap.servers"); // fail now, with the key's name, if it is missing
        // Readings can be produced up to the allowed future skew before their event time.
        Duration slack = s.getDuration("validation.max-future-skew", ValidationRules.DEFAULT.maxFutureSkew());
        yield new SourceConfig(type, null, Map.of(), s.withPrefix("kafka."), topics, streamOptions, slack);
      }
      default -> throw new IllegalArgumentException("source.type must be files or kafka, got '" + type + "'");
    };
  }

  public RawSource create() {
    return type.equals("kafka")
        ? new KafkaSource(topics, kafkaOptions, kafkaStreamOptions, kafkaStartSlack)
        : new RawFileSource(inputDir, fileOptions);
  }

  private static Map<String, String> strip(Map<String, String> m, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
    return out;
  }
}
