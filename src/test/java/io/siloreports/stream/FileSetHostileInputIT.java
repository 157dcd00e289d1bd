package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.cli.StreamConfig;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ParsedRecords;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.ParquetAggregateStore;
import io.siloreports.store.ParquetProgressStore;
import io.siloreports.testing.HostileLines;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile files, not only hostile lines, through the stream's file source (the embedded default: files -> Parquet,
 * one file per micro-batch) and through the report's read of raw files in its own JVM
 * ({@link RawFileSource#forEachLine}): an empty file, blank lines only, gzip, a huge file, CRLF, no final newline,
 * a truncated last line, raw invalid UTF-8, the hostile kinds of {@link HostileLines}, a file still being written
 * under a hidden name, and a file written in place. For every file: valid + bad = its non-blank lines as a plain
 * Java loop counts them, both readers agree, and every bad line is in the quarantine with its file.
 *
 * <p>The rule for producers (docs): write under a name starting with {@code .} or {@code _} (both readers skip
 * them) and rename into place when complete. A file written in place is read as it is when the stream first lists
 * it; lines appended later are never read by the stream (Spark's file source reads each path once), while the
 * report's raw read, which reads every file whole each time, sees them.
 */
class FileSetHostileInputIT {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
  private static final int HUGE_LINES = 2_000_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SparkSession spark = LocalSpark.get();
  @TempDir Path dir;

  /** What a file should give: records (valid + bad, blank lines are not records) and its bad ones. */
  private record Expected(String kind, long valid, long bad) {}

  private static String reading(int silo, int minute, String value) {
    return String.format("{\"silo_id\": %d, \"ts\": \"2026-11-20T%02d:%02d:%02dZ\", \"value\": %s}", silo,
        minute / 60 % 24, minute % 60, minute % 53, value);
  }

  private static List<String> valid(int n, int salt) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(reading(1 + (i + salt) % 5, (i * 7 + salt) % 1380, (i % 1000) + "." + (i % 7)));
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(plain);
    }
    return b.toByteArray();
  }

  /** Non-blank lines of a file's (decompressed) text, split at LF, CR and CRLF: an independent count. */
  private static long nonBlankLines(Path file) throws IOException {
    byte[] bytes;
    try (InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(file))
        : Files.newInputStream(file)) {
      bytes = in.readAllBytes();
    }
    long n = 0;
    boolean blank = true;
    for (int i = 0; i <= bytes.length; i++) {
      byte b = i < bytes.length ? bytes[i] : (byte) '\n';
      if (b == '\n' || b == '\r') {
        if (!blank) {
          n++;
        }
        blank = true;
        if (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
          i++;
        }
      } else if (b != ' ' && b != '\t') {
        blank = false;
      }
    }
    return n;
  }

  @Test
  void everyLineOfEveryFileIsCountedOrQuarantinedAndBothReadersAgree() throws Exception {
    long t0 = System.nanoTime();
    Path in = dir.resolve("input/silo-readings");
    Map<String, Expected> expected = new LinkedHashMap<>();

    InputFiles.writeBytes(in, "empty.jsonl", new byte[0]);
    expected.put("empty.jsonl", new Expected("empty file", 0, 0));
    InputFiles.writeBytes(in, "blank-lines.jsonl", utf8("\n\n   \n\t\r\n\r\n\n"));
    expected.put("blank-lines.jsonl", new Expected("only blank lines (LF, CRLF, spaces, tabs)", 0, 0));
    InputFiles.writeBytes(in, "compressed.jsonl.gz", gzip(utf8(String.join("\n", valid(1000, 1)) + "\n")));
    expected.put("compressed.jsonl.gz", new Expected("gzip-compressed (.jsonl.gz)", 1000, 0));
    InputFiles.writeBytes(in, "crlf.jsonl", utf8(String.join("\r\n", valid(500, 2)) + "\r\n"));
    expected.put("crlf.jsonl", new Expected("CRLF line ends", 500, 0));
    InputFiles.writeBytes(in, "no-final-newline.jsonl", utf8(String.join("\n", valid(300, 3))));
    expected.put("no-final-newline.jsonl", new Expected("no final newline", 300, 0));
    String last = reading(2, 30, "1.5");
    InputFiles.writeBytes(in, "truncated-last-line.jsonl",
        utf8(String.join("\n", valid(300, 4)) + "\n" + last.substring(0, last.length() / 2)));
    expected.put("truncated-last-line.jsonl", new Expected("last line truncated (a producer cut off)", 300, 1));
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(utf8("{\"silo_id\": 3, \"ts\": \"2026-11-20T10:1"));
    raw.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
    raw.writeBytes(utf8(":00Z\", \"value\": 1}\n{\"silo_id\": 3, \"ts\": \"2026-11-20T10:15:00Z\", \"value\": 2,"
        + " \"note\": \"a"));
    raw.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0x80});
    raw.writeBytes(utf8("b\"}\n"));
    InputFiles.writeBytes(in, "invalid-utf8.jsonl", raw.toByteArray());
    expected.put("invalid-utf8.jsonl",
        new Expected("raw invalid UTF-8 bytes (in a time stamp: bad; in an extra field: accepted)", 1, 1));
    Map<String, String> kinds = HostileLines.readingKinds();
    List<String> hostile = new ArrayList<>(kinds.values());
    hostile.add("");
    hostile.add("  \t");
    InputFiles.writeBytes(in, "hostile-lines.jsonl", utf8(String.join("\n", hostile) + "\n"));
    long ok = kinds.keySet().stream().filter(HostileLines::accepted).count();
    expected.put("hostile-lines.jsonl",
        new Expected("the " + kinds.size() + " kinds of HostileLines, with blank lines", ok, kinds.size() - ok));
    long hugeBad = 0;
    Path hugeTmp = in.resolve(".huge.jsonl.tmp"); // generated here, never committed
    try (java.io.BufferedWriter w = Files.newBufferedWriter(hugeTmp, StandardCharsets.UTF_8)) {
      for (int i = 0; i < HUGE_LINES; i++) {
        if (i % 100_000 == 99_999) {
          w.write("{\"silo_id\": 1, \"ts\": \"not a time\", \"value\": 1}\n");
          hugeBad++;
        } else {
          w.write(reading(1 + i % 6, i % 1380, (i % 997) + ".25"));
          w.write('\n');
        }
      }
    }
    InputFiles.touch(hugeTmp);
    Files.move(hugeTmp, in.resolve("huge.jsonl"));
    expected.put("huge.jsonl", new Expected("huge: " + HUGE_LINES + " lines (" + hugeBad + " bad)",
        HUGE_LINES - hugeBad, hugeBad));
    Path inPlace = in.resolve("written-in-place.jsonl");
    Files.write(inPlace, utf8(String.join("\n", valid(100, 5)) + "\n"));
    InputFiles.touch(inPlace);
    Path hidden = in.resolve(".in-progress.jsonl");
    Files.write(hidden, utf8(String.join("\n", valid(200, 6)) + "\n"));

    Map<String, String> profile = Profiles.embedded(dir);
    profile.put("stream.pipelines", "silo-readings");
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();

    // The producer finishes: the hidden file is renamed into place; the one written in place gets more lines.
    InputFiles.touch(hidden);
    Files.move(hidden, in.resolve("renamed-when-complete.jsonl"));
    Files.write(inPlace, utf8(String.join("\n", valid(50, 7)) + "\n"), StandardOpenOption.APPEND);
    Wiring.stream(StreamConfig.from(Settings.of(profile)), spark, CLOCK).run();
    expected.put("renamed-when-complete.jsonl",
        new Expected("written as .in-progress.jsonl (hidden, not read), renamed when complete", 200, 0));
    expected.put("written-in-place.jsonl",
        new Expected("written in place, 50 lines appended after the stream had read it", 100, 0));

    // The stream's counts per file: one file per micro-batch (Spark's source log says which), the progress deltas.
    Map<String, long[]> byStream = streamCountsPerFile();
    // The report's read in this JVM, the same parser.
    Map<String, long[]> byJvm = new TreeMap<>();
    ParsedRecords.LineParser parser = ParsedRecords.jsonLines(RecordFormat.READINGS, TestRules.DEFAULTS,
        CLOCK.instant());
    assertTrue(new RawFileSource(dir.resolve("input").toString()).forEachLine(Pipeline.SILO_READINGS,
        spark.sparkContext().hadoopConfiguration(), (line, file) -> {
          if (!line.isBlank()) {
            long[] c = byJvm.computeIfAbsent(new org.apache.hadoop.fs.Path(file).getName(), k -> new long[2]);
            c[parser.parse(line, file).getString(3) == null ? 0 : 1]++;
          }
        }));
    Map<String, Long> quarantinedByFile = new HashMap<>();
    ParquetProgressStore progress =
        new ParquetProgressStore(spark.sparkContext().hadoopConfiguration(), dir.resolve("warehouse").toString());
    ParquetAggregateStore store =
        new ParquetAggregateStore(spark, dir.resolve("warehouse").toString(), progress, 0, () -> {});
    for (Row q : store.quarantine(Pipeline.SILO_READINGS).select("source").collectAsList()) {
      quarantinedByFile.merge(new org.apache.hadoop.fs.Path(q.getString(0)).getName(), 1L, Long::sum);
    }

    StringBuilder table = new StringBuilder(
        "| file | lines (non-blank, counted by a plain loop) | stream: valid / bad | report's JVM read: valid / bad"
            + " | outcome |\n|---|---|---|---|---|\n");
    List<String> wrong = new ArrayList<>();
    long validSum = 0;
    long badSum = 0;
    for (Map.Entry<String, Expected> e : expected.entrySet()) {
      String name = e.getKey();
      Expected x = e.getValue();
      long lines = nonBlankLines(in.resolve(name));
      long[] s = byStream.getOrDefault(name, new long[2]);
      long[] j = byJvm.getOrDefault(name, new long[2]);
      boolean inPlaceFile = name.equals("written-in-place.jsonl");
      if (s[0] != x.valid() || s[1] != x.bad()
          || !inPlaceFile && (s[0] + s[1] != lines || j[0] != s[0] || j[1] != s[1])
          || quarantinedByFile.getOrDefault(name, 0L) != x.bad()) {
        wrong.add(name + ": expected " + x + ", lines " + lines + ", stream " + s[0] + "/" + s[1] + ", jvm " + j[0]
            + "/" + j[1] + ", quarantined " + quarantinedByFile.getOrDefault(name, 0L));
      }
      validSum += s[0];
      badSum += s[1];
      String outcome = inPlaceFile
          ? "the stream read the 100 lines there when it listed the file, never the 50 appended; the report's raw read"
              + " sees all " + lines + " (rule: write under a hidden name, rename when complete)"
          : x.bad() == 0 ? (x.valid() == 0 ? "no records, nothing quarantined" : "every line accepted")
              : x.valid() + " accepted, " + x.bad() + " quarantined with the reason";
      table.append("| ").append(x.kind()).append(" (`").append(name).append("`) | ").append(lines).append(" | ")
          .append(s[0]).append(" / ").append(s[1]).append(" | ").append(j[0]).append(" / ").append(j[1])
          .append(" | ").append(outcome).append(" |\n");
    }
    System.out.print(table);
    assertTrue(wrong.isEmpty(), "files not handled by their rule: " + wrong);
    assertEquals(List.of(), byStream.keySet().stream().filter(f -> !expected.containsKey(f)).toList(),
        "no other file read (the hidden one only under its final name)");
    AggregationProgress p = progress.last(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(validSum, p.validTotal(), "valid");
    assertEquals(badSum, p.badTotal(), "bad");
    assertEquals(0, p.tooLateTotal());
    assertEquals(badSum, store.quarantine(Pipeline.SILO_READINGS).count(), "every bad line quarantined once");
    System.out.printf("FILESET files=%d records=%d valid=%d bad=%d late=%d seconds=%d%n", expected.size(),
        validSum + badSum, validSum, badSum, p.lateTotal(), (System.nanoTime() - t0) / 1_000_000_000);
  }

  /** valid / bad per file name, from the source log of Spark's checkpoint and the progress of each batch. */
  private Map<String, long[]> streamCountsPerFile() throws IOException {
    Map<Long, String> fileOfBatch = new TreeMap<>();
    Pattern entry = Pattern.compile("\"path\":\"([^\"]+)\".*?\"batchId\":(\\d+)");
    try (Stream<Path> logs = Files.list(dir.resolve("checkpoints/silo-readings/sources/0"))) {
      for (Path log : logs.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
        for (String line : Files.readAllLines(log)) {
          Matcher m = entry.matcher(line);
          if (m.find()) {
            String previous = fileOfBatch.put(Long.parseLong(m.group(2)), Path.of(URI.create(m.group(1)))
                .getFileName().toString());
            assertTrue(previous == null || previous.equals(fileOfBatch.get(Long.parseLong(m.group(2)))),
                "one file per micro-batch");
          }
        }
      }
    }
    Map<Long, long[]> totals = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir.resolve("warehouse/aggregation_progress/silo-readings"))) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("batch-")).toList()) {
        JsonNode n = JSON.readTree(f.toFile());
        totals.put(n.get("batch_id").asLong(), new long[] {n.get("valid_total").asLong(), n.get("bad_total").asLong()});
      }
    }
    Map<String, long[]> out = new LinkedHashMap<>();
    long[] before = {0, 0};
    for (Map.Entry<Long, String> b : fileOfBatch.entrySet()) {
      long[] after = totals.getOrDefault(b.getKey(), before);
      out.put(b.getValue(), new long[] {after[0] - before[0], after[1] - before[1]});
      before = after;
    }
    return out;
  }
}
