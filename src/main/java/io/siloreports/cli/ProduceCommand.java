package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@code produce} command: sends raw JSON-lines files (as written by {@code generate}) to the pipelines'
 * Kafka topics, line by line, in file order, so the Kafka path can be tried with sample data. Uses
 * {@code kafka.*} settings (bootstrap servers, security) and {@code source.kafka.topic.<pipeline>}.
 */
final class ProduceCommand {
  static final Map<String, String> FLAGS = Map.of("input", "input.dir");

  private ProduceCommand() {}

  static int run(String[] args) throws Exception {
    Settings s = Settings.load(List.of(args), FLAGS, System.getenv());
    Properties props = new Properties();
    s.withPrefix("kafka.").forEach((k, v) -> {
      if (!v.isBlank()) {
        props.put(k.substring("kafka.".length()), v);
      }
    });
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.put("linger.ms", "20");
    Path input = Path.of(s.get("input.dir"));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (Pipeline p : Pipeline.values()) {
        String topic = s.get("source.kafka.topic." + p.id, p.id);
        Path dir = input.resolve(p.id);
        if (!Files.isDirectory(dir)) {
          System.out.printf("%s: no directory %s, nothing sent%n", p.id, dir);
          continue;
        }
        long lines = 0;
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted().toList()) {
            try (BufferedReader r = Files.newBufferedReader(f)) {
              for (String line = r.readLine(); line != null; line = r.readLine()) {
                producer.send(new ProducerRecord<>(topic, line));
                lines++;
              }
            }
          }
        }
        producer.flush();
        System.out.printf("%s: sent %,d lines from %s to topic %s%n", p.id, lines, dir, topic);
      }
    }
    return 0;
  }
}
