package io.siloreports.bench;

import io.siloreports.testing.Oracle;
import io.siloreports.testing.WorkbookReader;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The crash campaign (bench/faults/run): the stream on MySQL (or the embedded Parquet default), reading files one per
 * micro-batch or a Kafka topic a few thousand records per micro-batch, is killed with SIGKILL at random moments and
 * restarted on its checkpoint, again and again; at the end an available-now run finishes the input. Both pipelines
 * run: readings (hourly aggregates) and activity events (bucket counts). Then, against plain-Java computations over
 * the generated input (nothing here calls the aggregation code):
 * <ul>
 *   <li>the stored hourly aggregates equal the oracle's (0 lost, 0 counted twice, 0 wrong values);
 *   <li>the stored bucket counts equal a count of the valid events per record type, account and 1/5/15/60-minute
 *       UTC bucket;
 *   <li>the quarantine holds every bad line (of both pipelines) once;
 *   <li>a report built by the CLI ({@code Main report} in a child JVM, local output, SQLite job store) over the whole
 *       range has exactly the oracle's silo-sheet rows (average, min, max, sum, count per silo-hour).
 * </ul>
 *
 * <p>Usage: {@code KillCampaign <work dir> <kills> <files> <lines per file> <seed> [mysql|parquet] [files|kafka]}.
 * parquet: the embedded default, read back through the project's own store. kafka: a KRaft broker started here; the
 * same lines (a "file" is a chunk of records) go to topics {@code silo-readings} (3 partitions) and
 * {@code activity-events}, half before the first start and the rest while the kills happen; the stream reads at
 * most {@code lines per file} offsets per micro-batch, into MySQL. Each run is killed at a random moment 0-8 s after
 * its first own commit (or after 90 s without one; an optional 8th argument sets the longest delay, 8000 ms by
 * default). Where each kill landed is read from the checkpoint and the store after it ({@link #phase}): in a batch
 * Spark had planned whose aggregates were not committed, after the store's commit of a batch but before Spark's
 * commit log (the batch Spark replays and the store skips), or between batches. Prints a {@code KILL} line per kill
 * and a {@code CAMPAIGN} line with the outcome and the kills per phase; fails when anything differs.
 */
public final class KillCampaign {
  private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
  private static final String[] RECORD_TYPES = {"items", "scoreResults", "tasks", "evaluations"};
  private static final int[] BUCKET_MINUTES = {1, 5, 15, 60};

  private KillCampaign() {}

  /** Exact aggregates of one silo-hour, the oracle's. */
  private static final class Hour {
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal min;
    BigDecimal max;
    long count;
  }

  /** What the campaign generated: the lines of each chunk ("file") per pipeline, and the oracle over them. */
  private static final class Input {
    final List<List<String>> readings = new ArrayList<>();
    final List<List<String>> events = new ArrayList<>();
    final Map<String, Hour> hours = new TreeMap<>(); // "silo|epoch hour"
    final Map<String, Long> buckets = new TreeMap<>(); // "type|account|minutes|epoch second of the bucket start"
    long badReadings;
    long badEvents;
    long validEvents;
  }

  /**
   * Where a kill landed in a pipeline, from what it left: Spark writes a batch's offsets before running it and its
   * commit log after the batch's body (our store's commit) returns. {@code storeBatch}: the batch the store committed
   * last (-1: none).
   */
  static String phase(Path checkpoint, long storeBatch) throws IOException {
    long planned = lastLogEntry(checkpoint.resolve("offsets"));
    long checkpointed = lastLogEntry(checkpoint.resolve("commits"));
    if (planned > storeBatch) {
      return "mid_batch"; // planned, its aggregates not committed: the restart runs it again from its offsets
    }
    if (planned == storeBatch && checkpointed < storeBatch) {
      return "after_store_commit_before_checkpoint"; // Spark replays it; the store skips the batch id it has
    }
    return planned < 0 ? "before_any_batch" : "between_batches";
  }

  /** The highest batch id of a Spark metadata log directory ({@code offsets/N}, {@code commits/N}); -1 when none. */
  private static long lastLogEntry(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return -1;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d+")).mapToLong(Long::parseLong)
          .max().orElse(-1);
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int kills = Integer.parseInt(args[1]);
    int files = Integer.parseInt(args[2]);
    int linesPerFile = Integer.parseInt(args[3]);
    Random random = new Random(Long.parseLong(args[4]));
    boolean parquet = args.length > 5 && args[5].equals("parquet");
    boolean kafkaSource = args.length > 6 && args[6].equals("kafka");
    int maxKillDelayMillis = args.length > 7 ? Integer.parseInt(args[7]) : 8_000;
    if (parquet && kafkaSource) {
      throw new IllegalArgumentException("the Kafka path writes to MySQL: use STORE=mysql with SOURCE=kafka");
    }
    IngestBench.deleteTreeQuietly(work);
    Files.createDirectories(work.resolve("logs"));
    Input in = generate(random, files, linesPerFile);
    if (!kafkaSource) {
      writeFiles(work.resolve("input"), in);
    }
    String path = (kafkaSource ? "kafka" : "files") + "->" + (parquet ? "parquet" : "mysql");

    try (EmbeddedMySql mysql = parquet ? null : new EmbeddedMySql(0, "campaign").start();
        EmbeddedKafka kafka = kafkaSource ? new EmbeddedKafka().start() : null) {
      List<String> settings = new ArrayList<>(List.of(
          "input.dir=" + work.resolve("input"),
          "db.migrate-on-start=true", "checkpoint.dir=" + work.resolve("checkpoints"),
          "jobstore.url=jdbc:sqlite:" + work.resolve("jobstore.db"), "stream.pipelines=silo-readings,activity-events",
          "stream.trigger=200ms", "source.file.maxFilesPerTrigger=1", "spark.master=local[2]",
          "spark.ui.enabled=false", "validation.earliest-timestamp=2000-01-01T00:00:00Z",
          "report.output-dir=" + work.resolve("output"),
          // every bucket is compared with the input: none may go to retention at a Parquet compaction
          "retention.buckets.1m-age=", "retention.buckets.5m-age=", "retention.buckets.15m-age=",
          "retention.buckets.60m-age="));
      if (parquet) {
        settings.add("warehouse.dir=" + work.resolve("warehouse"));
      } else {
        settings.addAll(List.of("sink.type=mysql", "db.url=" + mysql.jdbcUrl(), "db.user=root", "db.password="));
      }
      Thread producer = null;
      AtomicReference<Exception> produceFailure = new AtomicReference<>();
      if (kafkaSource) {
        kafka.createTopic("silo-readings", 3);
        kafka.createTopic("activity-events", 1);
        // Many micro-batches: a chunk's worth of offsets each (readings), five chunks' worth (events).
        settings.addAll(List.of("source.type=kafka", "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
            "source.kafka.maxOffsetsPerTrigger=" + linesPerFile));
        int half = files / 2;
        produce(kafka, in, 0, half);
        producer = new Thread(() -> {
          try {
            for (int f = half; f < files; f++) {
              produce(kafka, in, f, f + 1);
              Thread.sleep(1_000);
            }
          } catch (Exception e) {
            produceFailure.set(e);
          }
        }, "campaign-producer");
        producer.setDaemon(true);
      }
      Path props = work.resolve("stream.properties");
      Files.writeString(props, String.join("\n", settings) + "\n");
      if (!parquet) {
        // The schema first: a kill inside a migration is another fault (DDL is not transactional in MySQL).
        Process migrate = start(work, props, "migrate", List.of("migrate"));
        if (migrate.waitFor() != 0) {
          throw new IllegalStateException("migrate failed; see " + work.resolve("logs/migrate.log"));
        }
      }
      long started = System.nanoTime();
      if (producer != null) {
        producer.start(); // the second half arrives while the stream is being killed
      }
      int killed = 0;
      Map<String, Integer> phases = new TreeMap<>();
      for (int k = 1; k <= kills; k++) {
        long[] atStart = parquet ? lastParquetBatches(work) : lastBatches(mysql);
        long t0 = System.nanoTime();
        Process p = start(work, props, "stream-" + k, stream("200ms"));
        // A run needs 5-15 s (JVM, Spark, for Kafka the first offsets and fetch) before its first commit, several
        // times that on a busy machine: a fixed random life killed runs that never committed (a loaded machine saw 20
        // of 20 such kills). So: a random moment 0-8 s after this run's first commit (amid the next micro-batches),
        // or after 90 s without one.
        long firstCommit = awaitCommit(parquet ? null : mysql, work, atStart, p, 90_000);
        Thread.sleep(random.nextInt(maxKillDelayMillis));
        String when = firstCommit < 0 ? " (no commit of its own)" : " (first commit of its own after " + firstCommit
            + " ms)";
        long lifeMillis = (System.nanoTime() - t0) / 1_000_000;
        long[] before = parquet ? lastParquetBatches(work) : lastBatches(mysql);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean stop
        p.waitFor();
        killed++;
        long[] after = parquet ? lastParquetBatches(work) : lastBatches(mysql);
        String readingsPhase = phase(work.resolve("checkpoints/silo-readings"), after[0]);
        String eventsPhase = phase(work.resolve("checkpoints/activity-events"), after[1]);
        phases.merge(readingsPhase, 1, Integer::sum);
        System.out.printf(Locale.ROOT, "KILL %d after %d ms%s, last committed batch readings %d events %d, landed:"
            + " readings %s, events %s%n", k, lifeMillis, when, after[0], after[1], readingsPhase, eventsPhase);
        if (!kafkaSource && Math.min(before[0], before[1]) >= files - 1) {
          break; // every file read already: further kills would find nothing to interrupt
        }
      }
      if (producer != null) {
        producer.join(TimeUnit.MINUTES.toMillis(10));
        if (produceFailure.get() != null) {
          throw new IllegalStateException("producing the second half failed", produceFailure.get());
        }
      }
      Process last = start(work, props, "stream-final", stream("available-now"));
      if (last.waitFor() != 0) {
        throw new IllegalStateException("the final available-now run failed; see " + work.resolve("logs"));
      }
      double streamMinutes = (System.nanoTime() - started) / 60e9;

      Map<String, long[]> stored = new TreeMap<>();
      Map<String, String> storedValues = new TreeMap<>();
      Map<String, Long> storedBuckets = new TreeMap<>();
      long quarantined;
      if (parquet) {
        quarantined = readParquet(props, stored, storedValues, storedBuckets);
      } else {
        quarantined = readMySql(mysql, stored, storedValues, storedBuckets);
      }
      long lost = 0;
      long doubled = 0;
      long wrong = 0;
      for (Map.Entry<String, Hour> e : in.hours.entrySet()) {
        long have = stored.containsKey(e.getKey()) ? stored.get(e.getKey())[0] : 0;
        lost += Math.max(0, e.getValue().count - have);
        doubled += Math.max(0, have - e.getValue().count);
        Hour h = e.getValue();
        String expected = h.sum.stripTrailingZeros().toPlainString() + "|" + h.min.stripTrailingZeros().toPlainString()
            + "|" + h.max.stripTrailingZeros().toPlainString();
        if (have == h.count && !expected.equals(storedValues.get(e.getKey()))) {
          wrong++;
        }
      }
      for (String key : stored.keySet()) {
        if (!in.hours.containsKey(key)) {
          doubled += stored.get(key)[0];
        }
      }
      long bucketsWrong = 0;
      for (String key : union(in.buckets.keySet(), storedBuckets.keySet())) {
        if (!in.buckets.getOrDefault(key, 0L).equals(storedBuckets.getOrDefault(key, 0L))) {
          bucketsWrong++;
        }
      }

      // A report over the whole range through the CLI, as a user runs it; its silo sheets against the oracle.
      Instant to = FIRST.plusSeconds(files * 3600L);
      Process report = start(work, props, "report", List.of("report", "--config", props.toString(),
          "--job-id", "campaign-report", "--from", FIRST.toString(), "--to", to.toString()));
      if (report.waitFor() != 0) {
        throw new IllegalStateException("the report failed; see " + work.resolve("logs/report.log"));
      }
      Path workbook;
      try (var found = Files.walk(work.resolve("output"))) {
        workbook = found.filter(f -> f.toString().endsWith(".xlsx")).findFirst()
            .orElseThrow(() -> new IllegalStateException("the report wrote no workbook under " + work.resolve("output")));
      }
      Map<Oracle.HourKey, WorkbookReader.Line> rows = WorkbookReader.read(workbook).rows();
      long reportWrong = 0;
      Map<Oracle.HourKey, WorkbookReader.Line> expectedRows = new TreeMap<>();
      in.hours.forEach((k, h) -> {
        String[] parts = k.split("\\|");
        expectedRows.put(new Oracle.HourKey(Integer.parseInt(parts[0]), Instant.ofEpochSecond(Long.parseLong(parts[1]) * 3600)),
            new WorkbookReader.Line(h.sum.divide(BigDecimal.valueOf(h.count), 2, RoundingMode.HALF_UP),
                h.min.setScale(2, RoundingMode.HALF_UP), h.max.setScale(2, RoundingMode.HALF_UP),
                h.sum.setScale(2, RoundingMode.HALF_UP), h.count));
      });
      for (Oracle.HourKey key : union(expectedRows.keySet(), rows.keySet())) {
        if (!java.util.Objects.equals(expectedRows.get(key), rows.get(key))) {
          reportWrong++;
        }
      }

      long readings = in.hours.values().stream().mapToLong(h -> h.count).sum();
      long bad = in.badReadings + in.badEvents;
      System.out.printf(Locale.ROOT, "CAMPAIGN path=%s kills=%d files=%d readings=%d events=%d bad_lines=%d"
              + " quarantined=%d hours=%d lost=%d double=%d wrong_values=%d buckets=%d buckets_wrong=%d"
              + " report_rows=%d report_wrong=%d minutes=%.1f kills_landed=%s%n", path,
          killed, files, readings, in.validEvents, bad, quarantined, in.hours.size(), lost, doubled, wrong,
          in.buckets.size(), bucketsWrong, rows.size(), reportWrong, streamMinutes,
          phases.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",")));
      if (lost != 0 || doubled != 0 || wrong != 0 || quarantined != bad || bucketsWrong != 0 || reportWrong != 0) {
        throw new IllegalStateException("the campaign found lost, doubled or wrong readings, bucket counts or report"
            + " rows (see the CAMPAIGN line); logs in " + work.resolve("logs"));
      }
    }
  }

  /**
   * Chunks of readings and events in rough time order, one in 20 some hours late, one bad (truncated) line in 200;
   * and the oracle: exact hourly aggregates of the valid readings, counts of the valid events per bucket.
   */
  private static Input generate(Random random, int files, int linesPerFile) {
    Input in = new Input();
    for (int f = 0; f < files; f++) {
      List<String> readings = new ArrayList<>();
      for (int i = 0; i < linesPerFile; i++) {
        Instant ts = time(random, f);
        int silo = 1 + random.nextInt(40);
        BigDecimal value = BigDecimal.valueOf(random.nextInt(2_000_000) - 500_000, 3);
        String line = "{\"silo_id\": " + silo + ", \"ts\": \"" + ts + "\", \"value\": " + value.toPlainString() + "}";
        if (random.nextInt(200) == 0) {
          line = line.substring(0, line.length() / 2);
          in.badReadings++;
        } else {
          Hour h = in.hours.computeIfAbsent(silo + "|" + ts.getEpochSecond() / 3600, k -> new Hour());
          h.sum = h.sum.add(value);
          h.min = h.min == null || value.compareTo(h.min) < 0 ? value : h.min;
          h.max = h.max == null || value.compareTo(h.max) > 0 ? value : h.max;
          h.count++;
        }
        readings.add(line);
      }
      in.readings.add(readings);
      List<String> events = new ArrayList<>();
      for (int i = 0; i < Math.max(1, linesPerFile / 5); i++) {
        Instant ts = time(random, f);
        String type = RECORD_TYPES[random.nextInt(RECORD_TYPES.length)];
        String account = "acc-" + random.nextInt(20);
        String line = "{\"record_type\": \"" + type + "\", \"account_id\": \"" + account + "\", \"ts\": \"" + ts + "\"}";
        if (random.nextInt(200) == 0) {
          line = line.substring(0, line.length() / 2);
          in.badEvents++;
        } else {
          in.validEvents++;
          for (int m : BUCKET_MINUTES) {
            long width = m * 60L;
            long start = Math.floorDiv(ts.getEpochSecond(), width) * width;
            in.buckets.merge(type + "|" + account + "|" + m + "|" + start, 1L, Long::sum);
          }
        }
        events.add(line);
      }
      in.events.add(events);
    }
    return in;
  }

  /** A time in the chunk's hour, or one in 20 times 4 to 14 hours earlier (late). */
  private static Instant time(Random random, int chunk) {
    long minute = (long) chunk * 60 + random.nextInt(60) - (random.nextInt(20) == 0 ? 240 + random.nextInt(600) : 0);
    return FIRST.plusSeconds(Math.max(0, minute) * 60 + random.nextInt(60));
  }

  /** One file per chunk and pipeline; mtimes in order (the file source takes files by modification time). */
  private static void writeFiles(Path input, Input in) throws Exception {
    for (String pipeline : List.of("silo-readings", "activity-events")) {
      Files.createDirectories(input.resolve(pipeline));
      List<List<String>> chunks = pipeline.equals("silo-readings") ? in.readings : in.events;
      for (int f = 0; f < chunks.size(); f++) {
        Path file = input.resolve(pipeline).resolve(String.format("%s-%04d.jsonl", pipeline, f));
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          for (String line : chunks.get(f)) {
            w.append(line).append('\n');
          }
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(f)));
      }
    }
  }

  /** Chunks [from, to) of both pipelines to their topics, acknowledged before this returns. */
  private static void produce(EmbeddedKafka kafka, Input in, int from, int to) throws Exception {
    try (KafkaProducer<String, String> producer = kafka.producer()) {
      for (int f = from; f < to; f++) {
        for (String line : in.readings.get(f)) {
          producer.send(new ProducerRecord<>("silo-readings", line));
        }
        for (String line : in.events.get(f)) {
          producer.send(new ProducerRecord<>("activity-events", line));
        }
      }
      producer.flush();
    }
  }

  private static <T extends Comparable<T>> TreeSet<T> union(java.util.Set<T> a, java.util.Set<T> b) {
    TreeSet<T> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static void put(Map<String, long[]> stored, Map<String, String> values, String key, long count,
      BigDecimal sum, BigDecimal min, BigDecimal max) {
    stored.put(key, new long[] {count});
    values.put(key, sum.stripTrailingZeros().toPlainString() + "|" + min.stripTrailingZeros().toPlainString() + "|"
        + max.stripTrailingZeros().toPlainString());
  }

  /** The MySQL tables read with plain JDBC; returns the quarantine's row count. */
  private static long readMySql(EmbeddedMySql mysql, Map<String, long[]> stored, Map<String, String> values,
      Map<String, Long> buckets) throws Exception {
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), "root", "");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT silo_id, UNIX_TIMESTAMP(hour_start) DIV 3600, record_count,"
          + " sum_exact, min_exact, max_exact FROM silo_hourly_aggregates")) {
        while (rs.next()) {
          put(stored, values, rs.getInt(1) + "|" + rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4),
              rs.getBigDecimal(5), rs.getBigDecimal(6));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT record_type, account_id, bucket_minutes, UNIX_TIMESTAMP(bucket_start),"
          + " record_count FROM bucket_counts")) {
        while (rs.next()) {
          buckets.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getInt(3) + "|" + rs.getLong(4), rs.getLong(5));
        }
      }
    }
    return count(mysql, "SELECT COUNT(*) FROM quarantine");
  }

  /**
   * The embedded default's store read back through the project's own Parquet store (its merge of the batches);
   * returns the quarantine's row count (both pipelines).
   */
  private static long readParquet(Path props, Map<String, long[]> stored, Map<String, String> values,
      Map<String, Long> buckets) throws Exception {
    Properties p = new Properties();
    try (var reader = Files.newBufferedReader(props)) {
      p.load(reader);
    }
    Map<String, String> settings = new HashMap<>();
    p.forEach((k, v) -> settings.put((String) k, (String) v));
    org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[2]")
        .appName("kill-campaign-check").config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    try {
      io.siloreports.cli.Wiring.Stores stores = io.siloreports.cli.Wiring.stores(
          io.siloreports.cli.StoreConfig.from(io.siloreports.config.Settings.of(settings)), spark);
      io.siloreports.model.AggregationProgress committed =
          stores.progress().last(io.siloreports.model.Pipeline.SILO_READINGS).orElseThrow();
      for (org.apache.spark.sql.Row r : stores.aggregates()
          .aggregates(io.siloreports.model.Pipeline.SILO_READINGS, committed).collectAsList()) {
        put(stored, values, r.getInt(0) + "|" + r.getTimestamp(1).getTime() / 3_600_000, r.getLong(5),
            r.getDecimal(2), r.getDecimal(3), r.getDecimal(4));
      }
      io.siloreports.model.AggregationProgress committedEvents =
          stores.progress().last(io.siloreports.model.Pipeline.ACTIVITY_EVENTS).orElseThrow();
      for (org.apache.spark.sql.Row r : stores.aggregates()
          .aggregates(io.siloreports.model.Pipeline.ACTIVITY_EVENTS, committedEvents).collectAsList()) {
        java.sql.Timestamp start = r.getAs("bucket_start");
        buckets.put(r.getAs("record_type") + "|" + r.getAs("account_id") + "|" + r.getAs("bucket_minutes") + "|"
            + start.getTime() / 1000, r.<Long>getAs("record_count"));
      }
      return stores.aggregates().quarantine(io.siloreports.model.Pipeline.SILO_READINGS).count()
          + stores.aggregates().quarantine(io.siloreports.model.Pipeline.ACTIVITY_EVENTS).count();
    } finally {
      spark.stop();
    }
  }

  /** The last batch each pipeline (readings, events) committed in the Parquet store: progress files batch-N.json. */
  private static long[] lastParquetBatches(Path work) throws Exception {
    long[] out = new long[2];
    List<String> pipelines = List.of("silo-readings", "activity-events");
    for (int i = 0; i < 2; i++) {
      Path dir = work.resolve("warehouse/aggregation_progress/" + pipelines.get(i));
      out[i] = -1;
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          out[i] = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("batch-\\d+\\.json"))
              .mapToLong(n -> Long.parseLong(n.substring(6, n.length() - 5))).max().orElse(-1);
        }
      }
    }
    return out;
  }

  private static List<String> stream(String trigger) {
    return List.of("stream", "--conf", "stream.trigger=" + trigger);
  }

  /** {@code Main <command> --config <props> <args>} in a child JVM, its output in logs/<name>.log. */
  private static Process start(Path work, Path props, String name, List<String> command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command.get(0), "--config", props.toString()));
    args.addAll(command.subList(1, command.size()));
    return IngestBench.startCli(work, name, "1g", args);
  }

  /**
   * Waits until a pipeline commits a batch after {@code atStart} (or the process exits, or {@code maxMillis} pass);
   * returns the milliseconds it took, or -1 when there was none.
   */
  private static long awaitCommit(EmbeddedMySql mysql, Path work, long[] atStart, Process p, long maxMillis)
      throws Exception {
    long t0 = System.nanoTime();
    while ((System.nanoTime() - t0) / 1_000_000 < maxMillis && p.isAlive()) {
      long[] now = mysql == null ? lastParquetBatches(work) : lastBatches(mysql);
      if (now[0] > atStart[0] || now[1] > atStart[1]) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(200);
    }
    return -1;
  }

  /** The last batch each pipeline (readings, events) committed in MySQL, -1 for none. */
  private static long[] lastBatches(EmbeddedMySql mysql) throws Exception {
    return new long[] {
        count(mysql, "SELECT COALESCE(MAX(last_batch_id), -1) FROM aggregation_progress WHERE pipeline = 'silo-readings'"),
        count(mysql, "SELECT COALESCE(MAX(last_batch_id), -1) FROM aggregation_progress WHERE pipeline = 'activity-events'")};
  }

  private static long count(EmbeddedMySql mysql, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // no table yet: the first run was killed before its migration
    }
  }
}
