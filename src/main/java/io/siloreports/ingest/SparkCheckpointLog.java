package io.siloreports.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reads a Spark Structured Streaming checkpoint without Spark, as Spark 3.5 writes it (sql/core,
 * {@code OffsetSeqLog}, {@code CompactibleFileStreamLog}, {@code FileStreamSourceLog}, {@code FileStreamSourceOffset}):
 * {@code offsets/<batch>} is "v1", the batch's metadata, then one line per source with its end offset as JSON (a file
 * source's {@code {"logOffset":K}}, Kafka's {@code {"topic":{"partition":offset}}}); a file source's log
 * {@code sources/0/<K>} (or {@code <K>.compact}, every 10th, holding every entry before it) is "v1" then one
 * {@code {"path":...,"timestamp":...,"batchId":...}} per file. Spark writes {@code offsets/N} before it runs batch N,
 * so every batch the store has committed has its offsets there (Spark keeps the last 100).
 */
public final class SparkCheckpointLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Configuration hadoop;
  private final Path checkpoint;

  /** {@code checkpoint}: one query's checkpoint directory. */
  public SparkCheckpointLog(Configuration hadoop, String checkpoint) {
    this.hadoop = hadoop;
    this.checkpoint = new Path(checkpoint);
  }

  /** The end offset of the query's (only) source in batch {@code batchId}; empty when that log file does not exist. */
  public Optional<String> sourceOffset(long batchId) throws IOException {
    Path file = new Path(checkpoint, "offsets/" + batchId);
    FileSystem fs = file.getFileSystem(hadoop);
    if (!fs.exists(file)) {
      return Optional.empty();
    }
    List<String> lines = lines(fs, file);
    if (lines.size() < 3 || !lines.get(0).startsWith("v") || lines.get(2).equals("-")) {
      throw new IOException("Spark's offset log " + file + " has no offset for its source (" + lines.size()
          + " line(s)): not the checkpoint of a one-source query");
    }
    return Optional.of(lines.get(2).trim());
  }

  /**
   * The files a file source had logged in its batches up to {@code logOffset} (its {@code logOffset}), as the URIs
   * Spark stored: the latest compacted log at or before it plus the batch files after that one.
   */
  public Set<String> filesUpTo(long logOffset) throws IOException {
    Path dir = new Path(checkpoint, "sources/0");
    FileSystem fs = dir.getFileSystem(hadoop);
    Set<String> files = new HashSet<>();
    if (logOffset < 0 || !fs.exists(dir)) {
      return files;
    }
    long compact = -1;
    List<Long> plain = new ArrayList<>();
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      try {
        if (name.endsWith(".compact")) {
          long id = Long.parseLong(name.substring(0, name.length() - ".compact".length()));
          if (id <= logOffset) {
            compact = Math.max(compact, id);
          }
        } else {
          long id = Long.parseLong(name);
          if (id <= logOffset) {
            plain.add(id);
          }
        }
      } catch (NumberFormatException e) {
        // Spark's temporary files (.name.tmp) and anything else that is not a batch of the log
      }
    }
    if (compact >= 0) {
      addEntries(fs, new Path(dir, compact + ".compact"), logOffset, files);
    }
    for (long id : plain) {
      if (id > compact) {
        addEntries(fs, new Path(dir, Long.toString(id)), logOffset, files);
      }
    }
    return files;
  }

  private static void addEntries(FileSystem fs, Path log, long logOffset, Set<String> files) throws IOException {
    List<String> lines = lines(fs, log);
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode entry = JSON.readTree(line);
      if (!entry.hasNonNull("path")) {
        throw new IOException("Spark's file source log " + log + " has an entry without a path");
      }
      if (!entry.hasNonNull("batchId") || entry.get("batchId").asLong() <= logOffset) {
        files.add(entry.get("path").asText());
      }
    }
  }

  private static List<String> lines(FileSystem fs, Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        out.add(line);
      }
    }
    return out;
  }

  /** The file source's {@code logOffset} in an offset of {@link #sourceOffset}. */
  public static long fileLogOffset(String sourceOffset) throws IOException {
    JsonNode n = JSON.readTree(sourceOffset);
    if (!n.has("logOffset")) {
      throw new IOException("not a file source's offset: " + sourceOffset);
    }
    return n.get("logOffset").asLong();
  }

  @Override
  public String toString() {
    return checkpoint.toString();
  }
}
