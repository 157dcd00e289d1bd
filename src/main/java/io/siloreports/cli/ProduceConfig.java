package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * What the {@code produce} command sends where: the JSON-lines files under {@code input.dir}, to the pipelines'
 * topics, with the {@code kafka.*} client settings.
 */
public record ProduceConfig(Path inputDir, Properties kafka, Map<Pipeline, String> topics) {

  public static ProduceConfig from(Settings s) {
    s.get(Keys.KAFKA_BOOTSTRAP_SERVERS); // fail now, with the key's name, if it is missing
    Properties kafka = new Properties();
    s.withPrefix("kafka.").forEach((k, v) -> kafka.put(k.substring("kafka.".length()), v));
    return new ProduceConfig(Path.of(s.get(Keys.INPUT_DIR)), kafka, SourceConfig.topics(s));
  }
}
