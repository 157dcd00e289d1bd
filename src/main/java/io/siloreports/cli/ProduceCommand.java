package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.model.Pipeline;
import io.siloreports.spark.SessionSource;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code produce}: sends raw JSON-lines files (as written by {@code generate}) to the pipelines' Kafka topics, line
 * by line, in file order, so the Kafka path can be tried with sample data.
 */
final class ProduceCommand extends Command {
  ProduceCommand() {
    super("produce", "send generated input files to the Kafka topics (--input DIR; kafka.* settings)", CONSOLE,
        "input", Keys.INPUT_DIR);
  }

  @Override
  boolean usesDatabases() {
    return false;
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) throws Exception {
    ProduceConfig config = ProduceConfig.from(settings);
    Properties props = new Properties();
    props.putAll(config.kafka());
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    props.putIfAbsent("linger.ms", "20");
    List<String> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (Pipeline p : Pipeline.values()) {
        String topic = config.topics().get(p);
        Path dir = config.inputDir().resolve(p.id);
        if (!Files.isDirectory(dir)) {
          sent.add(p.id + ": no directory " + dir + ", nothing sent");
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
        sent.add(String.format("%s: sent %,d lines from %s to topic %s", p.id, lines, dir, topic));
      }
    }
    return new Done(true, String.join("\n", sent));
  }
}
