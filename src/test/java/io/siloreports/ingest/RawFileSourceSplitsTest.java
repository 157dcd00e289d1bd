package io.siloreports.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream reads a micro-batch's files in even splits, twice as many as the cores, unless the job set its own. */
class RawFileSourceSplitsTest {
  @TempDir Path dir;

  @Test
  void aBatchIsReadInTwiceAsManyEvenSplitsAsCoresUnlessSetByTheJob() throws Exception {
    Path file = dir.resolve("readings.jsonl");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append("{\"silo_id\": ").append(i % 7).append(", \"ts\": \"2026-01-01T00:00:00Z\", \"value\": 1.5}\n");
    }
    Files.writeString(file, text);
    long size = Files.size(file);

    SparkSession streamSession = session();
    RawFileSource.evenSplits(streamSession);
    int cores = streamSession.sparkContext().defaultParallelism();
    List<Long> splits = splitLines(streamSession, file);
    assertEquals(2 * cores, splits.size(), "splits of " + size + " bytes on " + cores + " cores");
    long lines = splits.stream().mapToLong(Long::longValue).sum();
    assertEquals(20_000, lines);
    for (long n : splits) {
      assertTrue(Math.abs(n - lines / splits.size()) <= 1 + lines / splits.size() / 100, "uneven split: " + splits);
    }

    SparkSession ownSettings = session();
    ownSettings.conf().set("spark.sql.files.maxPartitionBytes", String.valueOf(size / 3 + 1));
    RawFileSource.evenSplits(ownSettings);
    assertEquals(3, splitLines(ownSettings, file).size(), "the job's own maxPartitionBytes is kept");
  }

  /** A session of its own (the shared context, separate settings), charging files nothing to open. */
  private static SparkSession session() {
    SparkSession s = LocalSpark.get().newSession();
    s.conf().set("spark.sql.files.openCostInBytes", "1");
    return s;
  }

  private static List<Long> splitLines(SparkSession spark, Path file) {
    Dataset<Row> lines = spark.read().text(file.toString());
    return lines.javaRDD().mapPartitions(rows -> {
      long n = 0;
      while (rows.hasNext()) {
        rows.next();
        n++;
      }
      return List.of(n).iterator();
    }).collect();
  }
}
