package io.siloreports.bench;

import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The stream at a sustained input rate (bench/stream/run): readings stamped with the wall clock arrive every second
 * for a set time, as files (written under a hidden name, then renamed, the way a producer publishes a file) or as
 * Kafka messages, while the stream runs on MySQL with a processing-time trigger. Once a second the bench reads how
 * many readings the hourly aggregates hold and turns that into a lag: the age of the oldest reading not yet counted
 * (0 when all produced readings are in). At the end it waits for the stream to catch up and checks every silo-hour's
 * count and exact sum against its own tally of what it produced.
 *
 * <p>Usage: {@code SustainedRateBench <work dir> <files|kafka> <readings per second> <minutes> <silos> <trigger>}.
 * Prints a {@code MINUTE} line per minute and a {@code SUSTAINED} line with the outcome; fails when a reading is
 * lost or counted twice.
 */
public final class SustainedRateBench {
  private static final String TOPIC = "silo-readings";

  private SustainedRateBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    boolean kafka = args[1].equals("kafka");
    int rate = Integer.parseInt(args[2]);
    int minutes = Integer.parseInt(args[3]);
    int silos = Integer.parseInt(args[4]);
    String trigger = args[5];
    IngestBench.deleteTreeQuietly(work);
    Path input = work.resolve("input/silo-readings");
    Files.createDirectories(input);
    Files.createDirectories(work.resolve("logs"));
    Random random = new Random(7);

    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "sustained").start();
        EmbeddedKafka broker = kafka ? new EmbeddedKafka().start() : null) {
      if (kafka) {
        broker.createTopic(TOPIC, 2);
      }
      Path props = work.resolve("stream.properties");
      Files.writeString(props, String.join("\n", "input.dir=" + work.resolve("input"), "sink.type=mysql",
          "db.url=" + mysql.jdbcUrl(), "db.user=root", "db.password=", "db.migrate-on-start=true",
          "checkpoint.dir=" + work.resolve("checkpoints"), "jobstore.url=jdbc:sqlite:" + work.resolve("jobstore.db"),
          "stream.pipelines=silo-readings", "stream.trigger=" + trigger, "spark.master=local[2]",
          "spark.ui.enabled=false", kafka ? "source.type=kafka" : "",
          kafka ? "kafka.bootstrap.servers=" + broker.bootstrapServers() : "",
          kafka ? "source.kafka.topic.silo-readings=" + TOPIC : "", ""));
      Process stream = IngestBench.startCli(work, "stream", "2g", List.of("stream", "--config", props.toString()));
      try {
        run(work, input, kafka ? broker : null, mysql, stream, rate, minutes, silos, random, trigger);
      } finally {
        stream.destroy();
        stream.waitFor();
      }
    }
  }

  private static void run(Path work, Path input, EmbeddedKafka broker, EmbeddedMySql mysql, Process stream, int rate,
      int minutes, int silos, Random random, String trigger) throws Exception {
    // Wait until the stream has made its tables (it migrates on start) before the clock starts.
    long waitUntil = System.nanoTime() + 120_000_000_000L;
    while (stored(mysql) < 0) {
      if (!stream.isAlive() || System.nanoTime() > waitUntil) {
        throw new IllegalStateException("the stream did not start; see " + work.resolve("logs/stream.log"));
      }
      Thread.sleep(500);
    }
    int seconds = minutes * 60;
    long[] producedBy = new long[seconds + 1]; // readings produced by the end of second k
    long[] producedAtNanos = new long[seconds + 1];
    Map<String, long[]> oracle = new HashMap<>(); // silo|hour -> {count, sum of thousandths}
    List<Double> lags = new ArrayList<>();
    long t0 = System.nanoTime();
    long produced = 0;
    var producer = broker == null ? null : broker.producer();
    for (int k = 0; k <= seconds; k++) {
      long due = t0 + k * 1_000_000_000L;
      long now = System.nanoTime();
      if (due > now) {
        Thread.sleep((due - now) / 1_000_000);
      }
      if (k == seconds) {
        producedBy[k] = produced;
        producedAtNanos[k] = System.nanoTime();
        break;
      }
      producedAtNanos[k] = System.nanoTime();
      Instant second = Instant.now();
      List<String> lines = new ArrayList<>(rate);
      for (int i = 0; i < rate; i++) {
        int silo = 1 + random.nextInt(silos);
        Instant ts = second.minusMillis(random.nextInt(1000));
        long thousandths = random.nextInt(2_000_000) - 500_000;
        lines.add("{\"silo_id\": " + silo + ", \"ts\": \"" + ts + "\", \"value\": "
            + java.math.BigDecimal.valueOf(thousandths, 3).toPlainString() + "}");
        long[] h = oracle.computeIfAbsent(silo + "|" + ts.getEpochSecond() / 3600, x -> new long[2]);
        h[0]++;
        h[1] += thousandths;
      }
      if (producer == null) {
        Path hidden = input.resolve(String.format(Locale.ROOT, ".readings-%06d.jsonl.part", k));
        try (BufferedWriter w = Files.newBufferedWriter(hidden, StandardCharsets.UTF_8)) {
          for (String line : lines) {
            w.append(line).append('\n');
          }
        }
        Files.move(hidden, input.resolve(String.format(Locale.ROOT, "readings-%06d.jsonl", k)),
            StandardCopyOption.ATOMIC_MOVE);
      } else {
        for (String line : lines) {
          producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPIC, line));
        }
        producer.flush();
      }
      produced += rate;
      producedBy[k] = produced;
      lags.add(lag(stored(mysql), producedBy, producedAtNanos, k));
      if ((k + 1) % 60 == 0) {
        double[] minute = lags.subList(lags.size() - 60, lags.size()).stream().mapToDouble(Double::doubleValue)
            .sorted().toArray();
        System.out.printf(Locale.ROOT, "MINUTE %d produced=%d stored=%d lag_s median=%.1f max=%.1f stream_alive=%b%n",
            (k + 1) / 60, produced, stored(mysql), minute[30], minute[59], stream.isAlive());
      }
      if (!stream.isAlive()) {
        throw new IllegalStateException("the stream stopped; see " + work.resolve("logs/stream.log"));
      }
    }
    if (producer != null) {
      producer.close();
    }
    long endNanos = System.nanoTime();
    while (stored(mysql) < produced && System.nanoTime() - endNanos < 600_000_000_000L && stream.isAlive()) {
      Thread.sleep(200);
    }
    double drain = (System.nanoTime() - endNanos) / 1e9;
    long lost = 0;
    long doubled = 0;
    long wrongSums = 0;
    Map<String, long[]> have = new HashMap<>();
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT silo_id, UNIX_TIMESTAMP(hour_start) DIV 3600, record_count,"
            + " CAST(ROUND(sum_exact * 1000) AS SIGNED) FROM silo_hourly_aggregates")) {
      while (rs.next()) {
        have.put(rs.getInt(1) + "|" + rs.getLong(2), new long[] {rs.getLong(3), rs.getLong(4)});
      }
    }
    for (Map.Entry<String, long[]> e : oracle.entrySet()) {
      long[] h = have.getOrDefault(e.getKey(), new long[2]);
      lost += Math.max(0, e.getValue()[0] - h[0]);
      doubled += Math.max(0, h[0] - e.getValue()[0]);
      wrongSums += h[0] == e.getValue()[0] && h[1] != e.getValue()[1] ? 1 : 0;
    }
    for (Map.Entry<String, long[]> e : have.entrySet()) {
      doubled += oracle.containsKey(e.getKey()) ? 0 : e.getValue()[0];
    }
    double[] sorted = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "SUSTAINED source=%s trigger=%s rate=%d/s minutes=%d silos=%d readings=%d"
            + " lag_s p50=%.1f p90=%.1f p99=%.1f max=%.1f caught_up_after_s=%.1f lost=%d double=%d wrong_sums=%d"
            + " stream_peak_rss_mb=%d%n", broker == null ? "files" : "kafka", trigger, rate, minutes,
        silos, produced, q(sorted, 0.5), q(sorted, 0.9), q(sorted, 0.99), sorted[sorted.length - 1], drain, lost,
        doubled, wrongSums, peakRssMb(stream));
    if (lost != 0 || doubled != 0 || wrongSums != 0) {
      throw new IllegalStateException("readings lost or counted twice; see the SUSTAINED line");
    }
  }

  /** The age in seconds of the oldest produced reading the store does not hold yet (0 when it holds them all). */
  private static double lag(long stored, long[] producedBy, long[] producedAtNanos, int upTo) {
    for (int k = 0; k <= upTo; k++) {
      if (producedBy[k] > stored) {
        return (System.nanoTime() - producedAtNanos[k]) / 1e9;
      }
    }
    return 0;
  }

  private static double q(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * q) - 1)];
  }

  private static long stored(EmbeddedMySql mysql) {
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COALESCE(SUM(record_count), 0) FROM silo_hourly_aggregates")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // the stream has not made its tables yet
    }
  }

  private static long peakRssMb(Process p) {
    try {
      return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmHWM:")).map(l -> Arrays.stream(l.split("\\s+")).skip(1).findFirst().orElse("0"))
          .mapToLong(Long::parseLong).findFirst().orElse(0) / 1024;
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
