package io.siloreports.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ReportConfig;
import io.siloreports.cli.StoreConfig;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.SharedTestServers;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 2 for the other two sources: shuffled readings, part of them streamed (an available-now run), more
 * arriving after (late ones for committed hours among them), and the report equal to a plain-Java computation over
 * every reading that arrived: Kafka (two partitions; the report reads from the committed batch's end offsets in
 * Spark's offset log to the latest) into Parquet, and the MySQL raw table (ids past the committed position) into
 * MariaDB. Each also reports before the stream has committed anything.
 */
class CommittedSplitSourcesIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final SparkSession spark = LocalSpark.get();
  @TempDir Path tmp;

  /** Readings of 12 hours of DAY for 4 silos in random order, in three parts. */
  private static List<List<Oracle.Reading>> shuffledParts(long seed) {
    List<Oracle.Reading> all = new ArrayList<>(
        TestData.readings(new Random(seed)).silos(4).hours(DAY, 0, 12).every(60, 240).jitter().build());
    Collections.shuffle(all, new Random(seed + 1));
    int n = all.size();
    return List.of(all.subList(0, n / 3), all.subList(n / 3, 2 * n / 3), all.subList(2 * n / 3, n));
  }

  @Test
  void kafkaReportEqualsEveryReadingThatArrivedWhileTheStreamLags() throws Exception {
    EmbeddedKafka kafka = SharedTestServers.kafka();
    String suffix = "committed-" + System.nanoTime();
    String topic = "silo-readings-" + suffix;
    kafka.createTopic(topic, 2);
    Map<String, String> profile = Profiles.kafka(Profiles.embedded(tmp), kafka, suffix);
    profile.put("stream.pipelines", "silo-readings");
    profile.put("source.kafka.startingOffsets", "earliest");
    List<List<Oracle.Reading>> parts = shuffledParts(31);
    List<Oracle.Reading> arrived = new ArrayList<>();
    try (ReportJobStore jobs = Wiring.jobStore(new Jdbc(profile.get("jobstore.url"), null, null), true, CLOCK);
        KafkaProducer<String, String> producer = kafka.producer()) {
      produce(producer, topic, parts.get(0), arrived);
      reportEqualsOracle(profile, jobs, "kafka-nothing-committed", arrived);

      Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run(); // available-now: part 0
      assertEquals(parts.get(0).size(), progress(profile).validTotal());
      produce(producer, topic, parts.get(1), arrived);
      produce(producer, topic, parts.get(2), arrived);
      reportEqualsOracle(profile, jobs, "kafka-lagging", arrived);

      Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
      assertTrue(progress(profile).lateTotal() > 0, "the later parts held late readings for committed hours");
      reportEqualsOracle(profile, jobs, "kafka-caught-up", arrived);
    }
  }

  @Test
  void mySqlTableReportEqualsEveryRowThatArrivedWhileTheStreamLags() throws Exception {
    EmbeddedMySql mysql = SharedTestServers.mySql();
    mysql.recreateDatabase();
    Jdbc db = new Jdbc(mysql.jdbcUrl(), mysql.appUser(), mysql.appPassword());
    Wiring.prepareAggregates(db, true);
    mysql.execute("CREATE TABLE sensor_log (rid BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, sensor INT NOT NULL,"
        + " taken_at DATETIME(3) NOT NULL, reading DECIMAL(16,4) NOT NULL, KEY (taken_at))");
    Map<String, String> profile = Profiles.mysql(Profiles.embedded(tmp), mysql, null);
    profile.put("source.type", "mysql");
    profile.put("stream.pipelines", "silo-readings");
    profile.put("source.mysql.table", "sensor_log");
    profile.put("source.mysql.id-column", "rid");
    profile.put("source.mysql.silo-column", "sensor");
    profile.put("source.mysql.ts-column", "taken_at");
    profile.put("source.mysql.value-column", "reading");
    profile.put("source.mysql.max-rows-per-batch", "150");
    List<List<Oracle.Reading>> parts = shuffledParts(41);
    List<Oracle.Reading> arrived = new ArrayList<>();
    try (ReportJobStore jobs = Wiring.jobStore(db, true, CLOCK)) {
      insert(db, parts.get(0), arrived);
      reportEqualsOracle(profile, jobs, "table-nothing-committed", arrived);

      Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run(); // available-now: part 0
      assertEquals(parts.get(0).size(), progress(profile).validTotal());
      insert(db, parts.get(1), arrived);
      insert(db, parts.get(2), arrived);
      reportEqualsOracle(profile, jobs, "table-lagging", arrived);

      Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
      assertTrue(progress(profile).lateTotal() > 0, "the later parts held late readings for committed hours");
      reportEqualsOracle(profile, jobs, "table-caught-up", arrived);
    }
  }

  private static void produce(KafkaProducer<String, String> producer, String topic, List<Oracle.Reading> readings,
      List<Oracle.Reading> arrived) throws Exception {
    for (Oracle.Reading r : readings) {
      producer.send(new ProducerRecord<>(topic, r.siloId() % 2, null, r.json())); // both partitions
    }
    producer.flush();
    arrived.addAll(readings);
  }

  private static void insert(Jdbc db, List<Oracle.Reading> readings, List<Oracle.Reading> arrived) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement st = c.prepareStatement("INSERT INTO sensor_log (sensor, taken_at, reading) VALUES (?, ?, ?)")) {
      for (Oracle.Reading r : readings) {
        st.setInt(1, r.siloId());
        st.setObject(2, LocalDateTime.ofInstant(r.ts(), ZoneOffset.UTC));
        st.setBigDecimal(3, r.value());
        st.addBatch();
      }
      st.executeBatch();
    }
    arrived.addAll(readings);
  }

  private AggregationProgress progress(Map<String, String> profile) {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
        .last(Pipeline.SILO_READINGS).orElseThrow();
  }

  private void reportEqualsOracle(Map<String, String> profile, ReportJobStore jobs, String jobId,
      List<Oracle.Reading> arrived) throws Exception {
    SiloReport.Outcome outcome = Wiring.report(ReportConfig.from(Settings.of(profile)), spark, jobs, CLOCK)
        .run(jobId, new ReportRequest(DAY, DAY.plus(1, ChronoUnit.DAYS), List.of(), NOW));
    assertEquals(JobStatus.COMPLETED, outcome.status(), () -> "report failed: " + outcome.error());
    Path file = Path.of(URI.create(jobs.find(jobId).orElseThrow().s3Url()));
    var expected = Oracle.hourly(arrived);
    assertTrue(expected.size() > 20, "the case has data to compare");
    WorkbookReader.assertEqualsOracle(expected, WorkbookReader.read(file).rows());
  }
}
