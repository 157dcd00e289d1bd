package io.siloreports.bench;

import io.siloreports.testing.servers.EmbeddedMySql;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ingest benchmark (bench/ingest/run): the stream (available-now, one JSON-lines file, MySQL aggregates) against
 * {@link IngestProgram}, the hand-written one-pass loop, on the same file and the same MariaDB, each in its own JVM,
 * both in every repetition. After each pair the two databases must hold the same aggregates (every column of every
 * row) and the stream's quarantine as many lines as the program counted bad: no speed bought with a wrong answer.
 *
 * <p>Usage: {@code IngestBench <work dir> <readings,...> <silos> <repetitions> <cores,...> <stream -Xmx>}. Prints a
 * {@code RESULT} line per run and a summary (min/median/max of the ratios) per size and core count.
 */
public final class IngestBench {
  private static final Pattern BATCH_MS = Pattern.compile("silo-readings batch \\d+: .*; (\\d+) ms( \\(|$)");
  private static final Instant FIRST = Instant.parse("2026-01-01T00:00:00Z");
  private static final long SPAN_MS = 3L * 24 * 3600 * 1000;
  private static final String COMPARE =
      "SELECT silo_id, hour_start, record_count, sum_exact, min_exact, max_exact, avg_value, min_value, max_value,"
          + " sum_value, late_count FROM silo_hourly_aggregates ORDER BY silo_id, hour_start";

  private IngestBench() {}

  /**
   * One pair of runs. Two ratios, both fair questions: the stream's logged micro-batch against the program's own timing
   * of its work ({@code main} after JVM start), and the stream's whole JVM against the program's whole JVM.
   */
  record Run(long readings, int cores, int rep, double programS, double programWallS, long programRssMb,
      double streamBatchS, double streamWallS, long streamRssMb) {
    double ratio() {
      return programS / streamBatchS;
    }

    double wallRatio() {
      return programWallS / streamWallS;
    }
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    long[] sizes = Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray();
    int silos = Integer.parseInt(args[2]);
    int reps = Integer.parseInt(args[3]);
    int[] coreCounts = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
    String streamXmx = args[5];
    Files.createDirectories(work.resolve("logs"));
    List<Run> runs = new ArrayList<>();
    try (EmbeddedMySql mysql = new EmbeddedMySql(0, "bench_program").start()) {
      for (long n : sizes) {
        Path input = work.resolve("data-" + n + "-" + silos);
        Path file = input.resolve("silo-readings/readings.jsonl");
        long bad = generate(file, n, silos);
        for (int rep = 1; rep <= reps; rep++) {
          for (int cores : coreCounts) {
            String tag = n + "-" + silos + "-c" + cores + "-r" + rep;
            String programUrl = fresh(mysql, "bench_program");
            String streamUrl = fresh(mysql, "bench_stream");
            Path props = work.resolve("stream-" + tag + ".properties");
            Path checkpoints = work.resolve("checkpoints-" + tag);
            deleteTree(checkpoints);
            writeProps(props, input, streamUrl, checkpoints, cores);
            child(work, "migrate-" + tag, List.of("-Xmx512m"), "io.siloreports.cli.Main", "migrate", "--config",
                props.toString(), "--conf", "db.url=" + programUrl);
            child(work, "migrate-stream-" + tag, List.of("-Xmx512m"), "io.siloreports.cli.Main", "migrate", "--config",
                props.toString());

            Child program = child(work, "program-" + tag, List.of(), IngestProgram.class.getName(),
                file.toString(), programUrl, "root", "");
            double programS = Double.parseDouble(field(program.lastLine("PROGRAM "), "seconds"));
            long programBad = Long.parseLong(field(program.lastLine("PROGRAM "), "bad"));

            Child stream = child(work, "stream-" + tag, List.of("-Xmx" + streamXmx), "io.siloreports.cli.Main",
                "stream", "--config", props.toString());
            double batchS = stream.batchMillis() / 1000.0;

            String check = compare(programUrl, streamUrl, programBad, bad);
            Run r = new Run(n, cores, rep, programS, program.seconds, program.rssMb, batchS, stream.seconds,
                stream.rssMb);
            runs.add(r);
            System.out.printf(Locale.ROOT, "RESULT readings=%d silos=%d cores=%d rep=%d program_s=%.2f program_wall_s=%.1f"
                    + " program_rss_mb=%d stream_batch_s=%.2f stream_wall_s=%.1f stream_rss_mb=%d throughput_ratio=%.2f"
                    + " wall_ratio=%.2f check=%s%n", n, silos, cores, rep, programS, program.seconds, program.rssMb,
                batchS, stream.seconds, stream.rssMb, r.ratio(), r.wallRatio(), check);
          }
        }
      }
    }
    System.out.println();
    System.out.println("| readings | silos | local cores | runs | program s (median) | stream batch s (min / median / max)"
        + " | batch vs program (min / median / max) | program wall s (median) | stream wall s (median) | wall vs program"
        + " (min / median / max) | stream RSS MB (max) | program RSS MB (max) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (long n : sizes) {
      for (int cores : coreCounts) {
        List<Run> rs = runs.stream().filter(r -> r.readings == n && r.cores == cores).toList();
        double[] ratio = rs.stream().mapToDouble(Run::ratio).sorted().toArray();
        double[] batch = rs.stream().mapToDouble(Run::streamBatchS).sorted().toArray();
        double[] wallRatio = rs.stream().mapToDouble(Run::wallRatio).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %,d | %d | %d | %d | %.2f | %.2f / %.2f / %.2f | %.2fx / %.2fx / %.2fx | %.1f |"
                + " %.1f | %.2fx / %.2fx / %.2fx | %d | %d |%n", n, silos, cores, rs.size(),
            median(rs.stream().mapToDouble(Run::programS).sorted().toArray()), batch[0], median(batch),
            batch[batch.length - 1], ratio[0], median(ratio), ratio[ratio.length - 1],
            median(rs.stream().mapToDouble(Run::programWallS).sorted().toArray()),
            median(rs.stream().mapToDouble(Run::streamWallS).sorted().toArray()), wallRatio[0], median(wallRatio),
            wallRatio[wallRatio.length - 1], rs.stream().mapToLong(Run::streamRssMb).max().orElse(0),
            rs.stream().mapToLong(Run::programRssMb).max().orElse(0));
      }
    }
  }

  private static double median(double[] sorted) {
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  /**
   * {@code n} readings of {@code silos} silos over 3 days in time order (as a feed delivers them), values with 2
   * decimals; every 10,000th line truncated (bad input both sides must count). Returns the bad lines; kept between
   * runs when the file is already there.
   */
  static long generate(Path file, long n, int silos) throws IOException {
    long bad = n / 10_000;
    if (Files.exists(file)) {
      return bad;
    }
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(".readings.tmp");
    Random random = new Random(n * 31 + silos);
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      StringBuilder b = new StringBuilder(96);
      for (long i = 0; i < n; i++) {
        Instant ts = FIRST.plusMillis(i * SPAN_MS / n);
        int cents = random.nextInt(10_000);
        b.setLength(0);
        b.append("{\"silo_id\": ").append(1 + random.nextInt(silos)).append(", \"ts\": \"").append(ts)
            .append("\", \"value\": ").append(cents / 100).append('.').append(cents % 100 < 10 ? "0" : "")
            .append(cents % 100).append('}');
        if ((i + 1) % 10_000 == 0) {
          b.setLength(b.length() / 2);
        }
        w.append(b).append('\n');
      }
    }
    Files.move(tmp, file);
    return bad;
  }

  static void deleteTreeQuietly(Path dir) throws IOException {
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static String fresh(EmbeddedMySql mysql, String db) throws Exception {
    try (Connection c = DriverManager.getConnection(mysql.jdbcUrl(""), "root", "");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + db + "`");
      s.execute("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4");
    }
    return mysql.jdbcUrl(db);
  }

  private static void writeProps(Path props, Path input, String url, Path checkpoints, int cores) throws IOException {
    Files.writeString(props, String.join("\n",
        "input.dir=" + input,
        "sink.type=mysql",
        "db.url=" + url,
        "db.user=root",
        "db.password=",
        "db.migrate-on-start=false",
        "checkpoint.dir=" + checkpoints,
        "jobstore.url=jdbc:sqlite:" + props.getParent().resolve("jobstore.db"),
        "stream.trigger=available-now",
        "stream.pipelines=silo-readings",
        "source.file.maxFilesPerTrigger=1",
        "validation.earliest-timestamp=2000-01-01T00:00:00Z",
        "spark.master=local[" + cores + "]",
        "spark.ui.enabled=false",
        ""));
  }

  /** Every aggregate column equal in both databases, and the stream's quarantine = the program's bad lines. */
  private static String compare(String programUrl, String streamUrl, long programBad, long expectedBad)
      throws Exception {
    List<String> a = rows(programUrl, COMPARE);
    List<String> b = rows(streamUrl, COMPARE);
    long quarantined = Long.parseLong(rows(streamUrl, "SELECT COUNT(*) FROM quarantine").get(0).replace("|", ""));
    if (!a.equals(b) || a.isEmpty()) {
      int i = 0;
      while (i < Math.min(a.size(), b.size()) && a.get(i).equals(b.get(i))) {
        i++;
      }
      throw new IllegalStateException("aggregates differ: program " + a.size() + " rows, stream " + b.size()
          + " rows; first difference at row " + i + ": program " + (i < a.size() ? a.get(i) : "-") + " / stream "
          + (i < b.size() ? b.get(i) : "-"));
    }
    if (quarantined != programBad || programBad != expectedBad) {
      throw new IllegalStateException("bad lines: program " + programBad + ", stream quarantine " + quarantined
          + ", planted " + expectedBad);
    }
    return "equal_rows=" + a.size() + "_bad=" + quarantined;
  }

  private static List<String> rows(String url, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, "root", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int cols = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= cols; i++) {
          b.append(rs.getString(i)).append('|');
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  private static String field(String line, String key) {
    for (String part : line.split(" ")) {
      if (part.startsWith(key + "=")) {
        return part.substring(key.length() + 1);
      }
    }
    throw new IllegalStateException("no " + key + " in: " + line);
  }

  /** A finished child JVM: its log, wall time and peak RSS (from /usr/bin/time). */
  record Child(Path log, double seconds, long rssMb) {
    String lastLine(String prefix) throws IOException {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList();
      if (lines.isEmpty()) {
        throw new IllegalStateException("no '" + prefix + "' line in " + log);
      }
      return lines.get(lines.size() - 1);
    }

    long batchMillis() throws IOException {
      long sum = 0;
      int batches = 0;
      for (String l : Files.readAllLines(log)) {
        Matcher m = BATCH_MS.matcher(l);
        if (m.find()) {
          sum += Long.parseLong(m.group(1));
          batches++;
        }
      }
      if (batches == 0) {
        throw new IllegalStateException("no micro-batch line in " + log);
      }
      return sum;
    }
  }

  /** Spark on Java 17 needs the module openings this JVM was started with (the run scripts and surefire pass them). */
  static List<String> moduleOpenings() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Djdk.reflect.") || a.startsWith("-XX:+IgnoreUnrecognized"))
        .toList();
  }

  /** {@code java <jvmOptions> <module openings> <UTC, log4j2> -cp <this JVM's classpath> <mainClass>}. */
  static List<String> javaCommand(List<String> jvmOptions, String mainClass) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(moduleOpenings());
    cmd.addAll(List.of("-Duser.timezone=UTC", "-Dlog4j2.configurationFile=conf/log4j2.properties", "-cp",
        System.getProperty("java.class.path"), mainClass));
    return cmd;
  }

  /** The CLI ({@code io.siloreports.cli.Main <args>}) in a child JVM, its output in {@code logs/<name>.log}. */
  static Process startCli(Path work, String name, String maxHeap, List<String> args) throws IOException {
    List<String> cmd = javaCommand(List.of("-Xmx" + maxHeap), "io.siloreports.cli.Main");
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(work.resolve("logs/" + name + ".log").toFile()).start();
  }

  static Child child(Path work, String name, List<String> jvmOptions, String mainClass, String... args)
      throws Exception {
    Path log = work.resolve("logs/" + name + ".log");
    Path rss = work.resolve("logs/" + name + ".rss");
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "%M", "-o", rss.toString()));
    cmd.addAll(javaCommand(jvmOptions, mainClass));
    cmd.addAll(List.of(args));
    long started = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    int rc = p.waitFor();
    double seconds = (System.nanoTime() - started) / 1e9;
    if (rc != 0) {
      List<String> lines = Files.readAllLines(log);
      throw new IllegalStateException(name + " exited " + rc + "; last lines of " + log + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
    }
    long kb = Long.parseLong(Files.readAllLines(rss).stream().filter(l -> l.matches("\\d+")).findFirst().orElse("0"));
    return new Child(log, seconds, kb / 1024);
  }
}
