package io.siloreports.bench;

import io.siloreports.testing.servers.EmbeddedMySql;
import java.io.BufferedWriter;
import java.math.BigDecimal;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The crash campaign (bench/faults/run): the stream on MySQL, reading files one per micro-batch, is killed with
 * SIGKILL at random moments and restarted on its checkpoint, again and again; at the end an available-now run
 * finishes the input, and the stored aggregates must equal a plain-Java computation over every valid line (0 lost,
 * 0 counted twice), and the quarantine must hold every bad line once.
 *
 * <p>Usage: {@code KillCampaign <work dir> <kills> <files> <lines per file> <seed> [mysql|parquet]} (parquet: the
 * embedded default, read back through the project's own store). Prints a {@code KILL} line per
 * kill and a {@code CAMPAIGN} line with the outcome; fails when the tables are wrong.
 */
public final class KillCampaign {
  private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");

  private KillCampaign() {}

  /** Exact aggregates of one silo-hour, the oracle's. */
  private static final class Hour {
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal min;
    BigDecimal max;
    long count;
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int kills = Integer.parseInt(args[1]);
    int files = Integer.parseInt(args[2]);
    int linesPerFile = Integer.parseInt(args[3]);
    Random random = new Random(Long.parseLong(args[4]));
    IngestBench.deleteTreeQuietly(work);
    Path input = work.resolve("input/silo-readings");
    Files.createDirectories(input);
    Files.createDirectories(work.resolve("logs"));

    // Files of readings in rough time order, some hours late, one bad line in 200; mtimes in order (the file
    // source takes files by modification time).
    Map<String, Hour> oracle = new TreeMap<>();
    long bad = 0;
    for (int f = 0; f < files; f++) {
      Path file = input.resolve(String.format("readings-%04d.jsonl", f));
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (int i = 0; i < linesPerFile; i++) {
          long minute = (long) f * 60 + random.nextInt(60) - (random.nextInt(20) == 0 ? 240 + random.nextInt(600) : 0);
          Instant ts = FIRST.plusSeconds(Math.max(0, minute) * 60 + random.nextInt(60));
          int silo = 1 + random.nextInt(40);
          BigDecimal value = BigDecimal.valueOf(random.nextInt(2_000_000) - 500_000, 3);
          String line = "{\"silo_id\": " + silo + ", \"ts\": \"" + ts + "\", \"value\": " + value.toPlainString() + "}";
          if (random.nextInt(200) == 0) {
            line = line.substring(0, line.length() / 2);
            bad++;
          } else {
            Hour h = oracle.computeIfAbsent(silo + "|" + ts.getEpochSecond() / 3600, k -> new Hour());
            h.sum = h.sum.add(value);
            h.min = h.min == null || value.compareTo(h.min) < 0 ? value : h.min;
            h.max = h.max == null || value.compareTo(h.max) > 0 ? value : h.max;
            h.count++;
          }
          w.append(line).append('\n');
        }
      }
      Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(f)));
    }

    boolean parquet = args.length > 5 && args[5].equals("parquet");
    try (EmbeddedMySql mysql = parquet ? null : new EmbeddedMySql(0, "campaign").start()) {
      Path props = work.resolve("stream.properties");
      Files.writeString(props, String.join("\n",
          "input.dir=" + work.resolve("input"),
          parquet ? "warehouse.dir=" + work.resolve("warehouse") : "sink.type=mysql",
          parquet ? "" : "db.url=" + mysql.jdbcUrl(), parquet ? "" : "db.user=root", parquet ? "" : "db.password=",
          "db.migrate-on-start=true", "checkpoint.dir=" + work.resolve("checkpoints"),
          "jobstore.url=jdbc:sqlite:" + work.resolve("jobstore.db"), "stream.pipelines=silo-readings",
          "stream.trigger=200ms", "source.file.maxFilesPerTrigger=1", "spark.master=local[2]",
          "spark.ui.enabled=false", "validation.earliest-timestamp=2000-01-01T00:00:00Z", ""));
      if (!parquet) {
        // The schema first: a kill inside a migration is another fault (DDL is not transactional in MySQL).
        Process migrate = start(work, props, "migrate", null);
        if (migrate.waitFor() != 0) {
          throw new IllegalStateException("migrate failed; see " + work.resolve("logs/migrate.log"));
        }
      }
      long started = System.nanoTime();
      int killed = 0;
      for (int k = 1; k <= kills; k++) {
        Process p = start(work, props, "stream-" + k, "200ms");
        long lifeMillis = 3_000 + random.nextInt(9_000); // JVM and Spark start take ~3-5 s; kills land anywhere after
        Thread.sleep(lifeMillis);
        long before = parquet ? lastParquetBatch(work) : lastBatch(mysql);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no clean stop
        p.waitFor();
        killed++;
        System.out.printf(Locale.ROOT, "KILL %d after %d ms, last committed batch %d%n", k, lifeMillis, before);
        if (before >= files - 1) {
          break; // everything read already: further kills would find nothing to interrupt
        }
      }
      Process last = start(work, props, "stream-final", "available-now");
      if (last.waitFor() != 0) {
        throw new IllegalStateException("the final available-now run failed; see " + work.resolve("logs"));
      }
      Map<String, long[]> stored = new TreeMap<>();
      Map<String, String> storedValues = new TreeMap<>();
      long quarantined;
      if (parquet) {
        quarantined = readParquet(props, stored, storedValues);
      } else {
        try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(), "root", "");
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT silo_id, UNIX_TIMESTAMP(hour_start) DIV 3600, record_count,"
                + " sum_exact, min_exact, max_exact FROM silo_hourly_aggregates")) {
          while (rs.next()) {
            put(stored, storedValues, rs.getInt(1) + "|" + rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4),
                rs.getBigDecimal(5), rs.getBigDecimal(6));
          }
        }
        quarantined = count(mysql, "SELECT COUNT(*) FROM quarantine");
      }
      long lost = 0;
      long doubled = 0;
      long wrong = 0;
      for (Map.Entry<String, Hour> e : oracle.entrySet()) {
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
        if (!oracle.containsKey(key)) {
          doubled += stored.get(key)[0];
        }
      }
      long readings = oracle.values().stream().mapToLong(h -> h.count).sum();
      System.out.printf(Locale.ROOT, "CAMPAIGN path=files->%s kills=%d files=%d readings=%d bad_lines=%d"
              + " quarantined=%d hours=%d lost=%d double=%d wrong_values=%d minutes=%.1f%n", parquet ? "parquet" : "mysql",
          killed, files, readings, bad, quarantined, oracle.size(), lost, doubled, wrong,
          (System.nanoTime() - started) / 60e9);
      if (lost != 0 || doubled != 0 || wrong != 0 || quarantined != bad) {
        throw new IllegalStateException("the campaign found lost, doubled or wrong readings (see the CAMPAIGN line)"
            + "; logs in " + work.resolve("logs"));
      }
    }
  }

  private static void put(Map<String, long[]> stored, Map<String, String> values, String key, long count,
      BigDecimal sum, BigDecimal min, BigDecimal max) {
    stored.put(key, new long[] {count});
    values.put(key, sum.stripTrailingZeros().toPlainString() + "|" + min.stripTrailingZeros().toPlainString() + "|"
        + max.stripTrailingZeros().toPlainString());
  }

  /** The embedded default's store read back through the project's own Parquet store (its merge of the batches). */
  private static long readParquet(Path props, Map<String, long[]> stored, Map<String, String> values)
      throws Exception {
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newBufferedReader(props)) {
      p.load(in);
    }
    Map<String, String> settings = new java.util.HashMap<>();
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
      return stores.aggregates().quarantine(io.siloreports.model.Pipeline.SILO_READINGS).count();
    } finally {
      spark.stop();
    }
  }

  /** The last batch the Parquet store committed: its progress files are {@code batch-N.json}. */
  private static long lastParquetBatch(Path work) throws Exception {
    Path dir = work.resolve("warehouse/aggregation_progress/silo-readings");
    if (!Files.isDirectory(dir)) {
      return -1;
    }
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("batch-\\d+\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(6, n.length() - 5))).max().orElse(-1);
    }
  }

  private static Process start(Path work, Path props, String name, String trigger) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g"));
    cmd.addAll(IngestBench.moduleOpenings());
    cmd.addAll(List.of("-Duser.timezone=UTC", "-Dlog4j2.configurationFile=conf/log4j2.properties", "-cp",
        System.getProperty("java.class.path"), "io.siloreports.cli.Main"));
    cmd.addAll(trigger == null ? List.of("migrate", "--config", props.toString())
        : List.of("stream", "--config", props.toString(), "--conf", "stream.trigger=" + trigger));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(work.resolve("logs/" + name + ".log").toFile()).start();
  }

  private static long lastBatch(EmbeddedMySql mysql) throws Exception {
    return count(mysql, "SELECT COALESCE(MAX(last_batch_id), -1) FROM aggregation_progress");
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
