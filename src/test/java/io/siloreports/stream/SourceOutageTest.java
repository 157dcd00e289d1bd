package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.ingest.KafkaSource;
import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/**
 * What makes the stream wait out its Kafka source and what stops it at once, on the failures Spark 3.5's Kafka source
 * gives (the chains as {@code KafkaSourceOutageIT} logged them: the driver's {@code describeTopics} through the admin
 * client, an executor's {@code position} through the consumer, a topic deleted under a running query), and the line
 * a YARN restart logs.
 */
class SourceOutageTest {
  private final KafkaSource kafka = new KafkaSource(Map.of(Pipeline.SILO_READINGS, "t"),
      Map.of("kafka.bootstrap.servers", "127.0.0.1:1"), Map.of(), Duration.ZERO);

  /** As Spark ends a query: its failure wrapped once more (a StreamingQueryException in the engine). */
  private static RuntimeException query(Throwable cause) {
    return new RuntimeException("Query silo-readings terminated with exception: " + cause.getMessage(), cause);
  }

  @Test
  void brokersThatDoNotAnswerAreAnOutage() {
    // The driver: KafkaOffsetReaderAdmin's describeTopics, after fetchOffset.numRetries attempts.
    assertTrue(kafka.unreachable(query(new ExecutionException(new TimeoutException(
        "Timed out waiting for a node assignment. Call: describeTopics")))));
    // An executor: the consumer's position, inside the micro-batch's job.
    assertTrue(kafka.unreachable(query(new SparkException("Job aborted due to stage failure: Task 0 in stage 3.0"
        + " failed 1 times", new TimeoutException("Timeout of 4000ms expired before the position for partition"
        + " t-0 could be determined")))));
    // An executor's fetch that got no records in kafkaConsumer.pollTimeoutMs.
    assertTrue(kafka.unreachable(query(new SparkException("Job aborted",
        new java.util.concurrent.TimeoutException("Cannot fetch record for offset 42 in 120000 milliseconds")))));
    assertTrue(kafka.unreachable(query(new NetworkException("Disconnected"))));
  }

  @Test
  void aWrongRequestIsADefectEvenWhenKafkaCallsItRetriable() {
    // Deleted or never created: Kafka calls UnknownTopicOrPartitionException retriable, but waiting does not help.
    assertFalse(kafka.unreachable(query(new ExecutionException(new UnknownTopicOrPartitionException(
        "This server does not host this topic-partition.")))));
    assertFalse(kafka.unreachable(query(new IllegalStateException("Partition t-0's offset was changed from 9 to 0,"
        + " some data may have been missed. Some data may have been lost because they are not available in Kafka"
        + " any more; ... set the source option \"failOnDataLoss\" to \"false\".",
        new TimeoutException("a timeout on the way")))));
    assertFalse(kafka.unreachable(query(new SaslAuthenticationException("Access denied"))));
    assertFalse(kafka.unreachable(query(new TopicAuthorizationException("Not authorized to access topics: [t]"))));
    assertFalse(kafka.unreachable(query(new IllegalArgumentException("Option 'subscribe' is invalid"))));
    assertFalse(kafka.unreachable(query(new java.util.concurrent.TimeoutException("Futures timed out"))),
        "a timeout that is not Kafka's");
  }

  @Test
  void aYarnRestartSaysSoOnceAndTheFirstAttemptSaysNothing() {
    assertEquals(Optional.empty(), new RunAttempt("application_1_0001", "1", "4").restartLine());
    assertEquals(Optional.empty(), new RunAttempt("local-123", null, null).restartLine());
    String line = new RunAttempt("application_1_0001", "2", "4").restartLine().orElseThrow();
    assertTrue(line.startsWith("STREAM RESTARTED: attempt 2 of at most 4 of YARN application application_1_0001"),
        line);
  }

  @Test
  void durationsInMessagesAreWrittenAsTheSetting() {
    assertEquals("15m", SparkQueryEngine.asSetting(Duration.ofMinutes(15)));
    assertEquals("8s", SparkQueryEngine.asSetting(Duration.ofSeconds(8)));
    assertEquals("90s", SparkQueryEngine.asSetting(Duration.ofSeconds(90)));
    assertEquals("2h", SparkQueryEngine.asSetting(Duration.ofHours(2)));
    assertEquals("0s", SparkQueryEngine.asSetting(Duration.ZERO));
  }
}
