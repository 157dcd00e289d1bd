package io.siloreports.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.model.Pipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One Kafka topic per pipeline. {@code kafkaOptions} are the {@code kafka.*} consumer settings (bootstrap
 * servers, and for MSK the security protocol, SASL/IAM settings, truststores), passed through unchanged.
 *
 * <p>A record's Kafka timestamp is when it was produced, not its event time. A batch read for event times
 * from {@code T} therefore starts at the offsets of Kafka time {@code T - startSlack} (readings are produced
 * after they happen, give or take clock skew), reads to the end of the topic, and the caller filters by event time.
 *
 * <p>When the brokers cannot be reached, Spark 3.5's source gives up on its own after a few minutes: the driver's
 * offset request ({@code KafkaOffsetReaderAdmin.withRetries}: {@code fetchOffset.numRetries} attempts, each waiting up
 * to the admin client's {@code default.api.timeout.ms}) or an executor's fetch ({@code kafkaConsumer.pollTimeoutMs})
 * fails the query. {@link #unreachable} tells that outage from a defect, so the stream can resume from its checkpoint
 * instead of dying.
 */
public final class KafkaSource implements RawSource {
  private final Map<Pipeline, String> topics;
  private final Map<String, String> kafkaOptions;
  private final Map<String, String> streamOptions;
  private final Duration startSlack;

  /**
   * @param streamOptions options for the streaming read only (startingOffsets, maxOffsetsPerTrigger,
   *     failOnDataLoss, ...)
   * @param startSlack how much earlier than the first event time a batch read starts, in Kafka time
   */
  public KafkaSource(
      Map<Pipeline, String> topics,
      Map<String, String> kafkaOptions,
      Map<String, String> streamOptions,
      Duration startSlack) {
    if (!kafkaOptions.containsKey("kafka.bootstrap.servers")) {
      throw new IllegalArgumentException("the Kafka source needs kafka.bootstrap.servers");
    }
    this.topics = Map.copyOf(topics);
    this.kafkaOptions = Map.copyOf(kafkaOptions);
    this.streamOptions = Map.copyOf(streamOptions);
    this.startSlack = startSlack;
  }

  public String topic(Pipeline p) {
    return topics.getOrDefault(p, p.id);
  }

  @Override
  public String describe(Pipeline pipeline) {
    return "kafka topic " + topic(pipeline) + " at " + kafkaOptions.get("kafka.bootstrap.servers");
  }

  @Override
  public Dataset<Row> stream(SparkSession spark, Pipeline pipeline) {
    return lines(spark.readStream().format("kafka").options(kafkaOptions).options(streamOptions)
        .option("subscribe", topic(pipeline)).load());
  }

  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, Instant eventFrom, Instant cutoff) {
    Map<String, String> bounds = new LinkedHashMap<>();
    bounds.put("startingTimestamp", Long.toString(eventFrom.minus(startSlack).toEpochMilli()));
    // A partition with nothing produced since then starts at its end instead of failing the read.
    bounds.put("startingOffsetsByTimestampStrategy", "latest");
    // To the end of the topic, not to the Kafka time of the cut-off: the cut-off is an event time (a report passes
    // the end of its range), and a reading of an earlier event time may be produced any time later (delivered late,
    // replayed, a backlog); bounding by it dropped those from the hot part while the aggregates count them.
    bounds.put("endingOffsets", "latest");
    DataFrameReader reader =
        spark.read().format("kafka").options(kafkaOptions).options(bounds).option("subscribe", topic(pipeline));
    return lines(reader.load());
  }

  /**
   * From the committed batch's end offsets to the latest (records the stream has not committed), or up to them
   * (records it has, from the Kafka time of the window's start less the slack): no guess splits the two sides.
   * Partitions added since the committed batch are not in its offsets, and Spark refuses such a read; the report fails
   * with Spark's message until the stream commits a batch over them.
   */
  @Override
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline, InputSlice slice, boolean committed) {
    if (!(slice.committed() instanceof CommittedInput.KafkaOffsets offsets)) {
      return RawSource.super.batch(spark, pipeline, slice, committed);
    }
    Map<String, String> bounds = new LinkedHashMap<>();
    if (committed) {
      bounds.put("startingTimestamp", Long.toString(slice.committedFrom().minus(startSlack).toEpochMilli()));
      bounds.put("startingOffsetsByTimestampStrategy", "latest");
      bounds.put("endingOffsets", offsets.json());
    } else {
      bounds.put("startingOffsets", offsets.json());
      bounds.put("endingOffsets", "latest");
    }
    DataFrameReader reader =
        spark.read().format("kafka").options(kafkaOptions).options(bounds).option("subscribe", topic(pipeline));
    return lines(reader.load());
  }

  /**
   * A Kafka client's retriable error (a timeout, a lost connection, no leader yet) or Spark's executor-side fetch
   * timeout ({@code Cannot fetch record for offset ...}) anywhere in the chain, and nothing that says the request
   * itself is wrong: a missing or deleted topic (which Kafka also calls retriable), lost offsets ({@code failOnDataLoss}),
   * refused credentials or a bad setting.
   */
  @Override
  public boolean unreachable(Throwable failure) {
    boolean outage = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof UnknownTopicOrPartitionException || t instanceof UnknownTopicIdException
          || t instanceof InvalidTopicException || t instanceof OffsetOutOfRangeException
          || t instanceof AuthenticationException || t instanceof AuthorizationException
          || t instanceof ConfigException || message.contains("failOnDataLoss")) {
        return false;
      }
      outage |= t instanceof RetriableException || t instanceof java.net.ConnectException
          || t instanceof java.util.concurrent.TimeoutException && message.startsWith("Cannot fetch record");
    }
    return outage;
  }

  private static Dataset<Row> lines(Dataset<Row> kafka) {
    return kafka.select(
        col("value").cast("string").as("line"),
        concat(col("topic"), lit("-"), col("partition").cast("string"), lit("@"), col("offset").cast("string"))
            .as("source"));
  }
}
