package io.siloreports.testing.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.LocalSpark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka broker (child JVM) through Spark's kafka-clients 3.4.1 and through Spark's Kafka source. */
class EmbeddedKafkaIT {
  private static final List<String> READINGS =
      List.of(
          "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:00:05Z\", \"value\": 71.25}",
          "{\"silo_id\": 2, \"ts\": \"2026-11-20T14:00:07Z\", \"value\": 12.5}",
          "{\"silo_id\": 1, \"ts\": \"2026-11-20T14:01:05Z\", \"value\": 70.75}",
          "not json at all",
          "{\"silo_id\": 3, \"ts\": \"2026-11-20T14:02:00Z\", \"value\": -3}");

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = SharedTestServers.kafka();
  }

  @Test
  void brokerRunsInItsOwnJvm() {
    ProcessHandle broker = kafka.brokerProcess();
    assertTrue(broker.isAlive());
    String commandLine = broker.info().commandLine().orElse("");
    assertTrue(commandLine.contains("kafka.Kafka"), commandLine);
    assertTrue(commandLine.contains(kafka.workDir().toString()), commandLine);
    assertTrue(kafka.bootstrapServers().equals("127.0.0.1:" + kafka.port()));
  }

  @Test
  void producedRecordsAreConsumedInOrder() {
    kafka.createTopic("smoke-plain", 1);
    List<Long> offsets = kafka.send("smoke-plain", READINGS);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets);

    Properties p = kafka.clientProperties();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-consumer");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.subscribe(List.of("smoke-plain")); // a group: exercises the broker's group coordinator
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (seen.size() < READINGS.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          seen.add(r.value());
        }
      }
      consumer.commitSync();
      assertEquals(5L, consumer.committed(java.util.Set.of(new TopicPartition("smoke-plain", 0))).values().iterator().next().offset());
    }
    assertEquals(READINGS, seen);
  }

  @Test
  void sparkBatchReadSeesEveryRecordOfEveryPartition() {
    kafka.createTopic("smoke-spark", 3);
    java.util.Map<String, String> keyed = new java.util.LinkedHashMap<>();
    for (int i = 0; i < READINGS.size(); i++) {
      keyed.put("k" + i, READINGS.get(i));
    }
    kafka.send("smoke-spark", keyed);

    SparkSession spark = LocalSpark.get();
    List<Row> rows =
        spark
            .read()
            .format("kafka")
            .option("kafka.bootstrap.servers", kafka.bootstrapServers())
            .option("subscribe", "smoke-spark")
            .option("startingOffsets", "earliest")
            .option("endingOffsets", "latest")
            .load()
            .selectExpr("CAST(key AS STRING) AS k", "CAST(value AS STRING) AS v", "partition")
            .collectAsList();
    assertEquals(READINGS.size(), rows.size());
    assertEquals(
        keyed.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.toList()),
        rows.stream().map(r -> r.getString(0) + "=" + r.getString(1)).sorted().collect(Collectors.toList()));
    assertTrue(rows.stream().map(r -> r.getInt(2)).distinct().count() > 1, "keys spread over partitions: " + rows);
  }

  @Test
  void creatingAnExistingTopicFails() {
    kafka.createTopic("smoke-twice", 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> kafka.createTopic("smoke-twice", 1));
    assertTrue(e.getCause() instanceof ExecutionException && e.getCause().getCause() instanceof TopicExistsException, e.toString());
  }
}
