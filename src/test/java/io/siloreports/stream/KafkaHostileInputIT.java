package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.store.ParquetProgressStore;
import io.siloreports.testing.HostileLines;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.SharedTestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile kinds of {@link HostileLines} as Kafka message values, plus what only Kafka can carry (a null value,
 * an empty value, binary garbage, a 1 MB value), produced to a real broker and read by the stream into Parquet. Each
 * message is accepted by a rule or quarantined with its reason (found by its partition and offset); a null, empty or
 * blank value is not a record, like a blank line in a file; the stream never stops (a second run goes on with new
 * messages); valid + bad = the messages with a non-blank value, counted by a plain loop over what was sent.
 */
class KafkaHostileInputIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private static final String TOPIC = "silo-readings-hostile";
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String valid(int i) {
    return "{\"silo_id\": " + (1 + i % 4) + ", \"ts\": \"2026-11-20T11:" + String.format("%02d", i % 60)
        + ":00Z\", \"value\": " + i + ".5}";
  }

  /** Sends the values in order to partition 0 and returns their offsets. */
  private static List<Long> send(EmbeddedKafka kafka, List<byte[]> values) throws Exception {
    Properties p = kafka.clientProperties();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 << 20));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      List<Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
      for (byte[] v : values) {
        acks.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, v)));
      }
      producer.flush();
      List<Long> offsets = new ArrayList<>();
      for (var ack : acks) {
        offsets.add(ack.get(30, TimeUnit.SECONDS).offset());
      }
      return offsets;
    }
  }

  @Test
  void everyMessageIsAcceptedByARuleOrQuarantinedWithAReasonAndTheStreamGoesOn() throws Exception {
    long t0 = System.nanoTime();
    EmbeddedKafka kafka = SharedTestServers.kafka();
    // Messages up to 8 MB on this topic: the hostile kinds include a 2 MB line (the broker's default is 1 MB).
    kafka.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1)
        .configs(Map.of("max.message.bytes", Integer.toString(8 << 20))))).all().get(30, TimeUnit.SECONDS);

    Map<String, byte[]> kinds = new LinkedHashMap<>();
    HostileLines.readingKinds().forEach((k, v) -> kinds.put(k, utf8(v)));
    kinds.put("null value (a tombstone): not a record", null);
    kinds.put("empty value: not a record", new byte[0]);
    kinds.put("blank value: not a record", utf8(" \t "));
    byte[] garbage = new byte[512];
    new Random(5).nextBytes(garbage);
    kinds.put("binary garbage (512 random bytes)", garbage);
    kinds.put("ok: 1 MB value (a reading with a 1 MB extra field)", utf8("{\"silo_id\": 7, \"ts\":"
        + " \"2026-11-20T10:16:00Z\", \"value\": 3, \"pad\": \"" + "y".repeat(1 << 20) + "\"}"));
    kinds.put("1 MB of text that is not JSON", utf8("z".repeat(1 << 20)));
    List<byte[]> values = new ArrayList<>();
    List<String> kindOfMessage = new ArrayList<>();
    for (int i = 0; i < 200; i++) { // valid messages around the hostile ones
      values.add(utf8(valid(i)));
      kindOfMessage.add(null);
    }
    kinds.forEach((k, v) -> {
      values.add(v);
      kindOfMessage.add(k);
    });
    List<Long> offsets = send(kafka, values);

    Map<String, String> profile = Profiles.kafka(Profiles.embedded(tmp), kafka, "hostile");
    profile.put("stream.pipelines", "silo-readings");
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();

    // The stream goes on: more messages, another run.
    List<byte[]> more = new ArrayList<>();
    for (int i = 200; i < 300; i++) {
      more.add(utf8(valid(i)));
    }
    send(kafka, more);
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();

    // Independent counts over what was sent.
    long records = 0;
    long expectedBad = 0;
    List<byte[]> all = new ArrayList<>(values);
    all.addAll(more);
    for (int i = 0; i < all.size(); i++) {
      byte[] v = all.get(i);
      if (v == null || new String(v, StandardCharsets.UTF_8).isBlank()) {
        continue;
      }
      records++;
      String kind = i < kindOfMessage.size() ? kindOfMessage.get(i) : null;
      expectedBad += kind != null && !HostileLines.accepted(kind) ? 1 : 0;
    }
    String warehouse = tmp.resolve("warehouse").toString();
    ParquetProgressStore progress = new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), warehouse);
    ParquetAggregateStore store = new ParquetAggregateStore(spark, warehouse, progress, 0, () -> {});
    AggregationProgress p = progress.last(Pipeline.SILO_READINGS).orElseThrow();
    Map<Long, String> reasonByOffset = new HashMap<>();
    for (Row q : store.quarantine(Pipeline.SILO_READINGS).select("source", "reason").collectAsList()) {
      String source = q.getString(0);
      assertTrue(source.startsWith(TOPIC + "-0@"), source);
      reasonByOffset.put(Long.parseLong(source.substring(source.indexOf('@') + 1)), q.getString(1));
    }

    StringBuilder table = new StringBuilder("| Kafka message value | outcome |\n|---|---|\n");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < kindOfMessage.size(); i++) {
      String kind = kindOfMessage.get(i);
      String reason = reasonByOffset.get(offsets.get(i));
      if (kind == null) {
        if (reason != null) {
          wrong.add("valid message at offset " + offsets.get(i) + " -> " + reason);
        }
        continue;
      }
      boolean notARecord = kind.endsWith("not a record");
      if (HostileLines.accepted(kind) || notARecord ? reason != null : reason == null) {
        wrong.add(kind + " -> " + (reason == null ? "accepted" : reason));
      }
      String expected = HostileLines.READING_REASONS.get(kind); // the kinds every path shares: the same reasons
      if (expected != null && reason != null && !reason.startsWith(expected)) {
        wrong.add(kind + " -> '" + reason + "', expected it to start '" + expected + "'");
      }
      table.append("| ").append(HostileLines.label(kind)).append(" | ").append(reason != null
          ? "quarantined: " + reason.replace("|", "\\|").replaceAll("\\s+", " ")
              .substring(0, Math.min(110, reason.length()))
          : notARecord ? "skipped, not counted (no text)" : "accepted").append(" |\n");
    }
    System.out.print(table);
    System.out.printf("KAFKA messages=%d records=%d valid=%d bad=%d late=%d seconds=%d%n", all.size(), records,
        p.validTotal(), p.badTotal(), p.lateTotal(), (System.nanoTime() - t0) / 1_000_000_000);
    assertTrue(wrong.isEmpty(), "kinds not handled by their rule: " + wrong);
    assertEquals(records, p.validTotal() + p.badTotal(), "valid + bad = the messages with a value");
    assertEquals(expectedBad, p.badTotal(), "bad");
    assertEquals(expectedBad, reasonByOffset.size(), "every bad message quarantined once");
    assertEquals(0, p.tooLateTotal());
  }
}
