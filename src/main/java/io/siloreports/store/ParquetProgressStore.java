package io.siloreports.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The {@code aggregation_progress} of the Parquet layout: one small JSON file per committed micro-batch,
 * {@code <root>/aggregation_progress/<pipeline>/batch-<id>.json}, written under a temporary name and renamed
 * into place, so it appears whole or not at all. The file with the highest batch id is the current
 * progress. Needs only a Hadoop configuration, so status commands can read it without Spark.
 */
public final class ParquetProgressStore implements ProgressStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Progress files kept per pipeline; older ones are only history. */
  private static final int FILES_KEPT = 50;

  private final Configuration hadoop;
  private final String root;

  public ParquetProgressStore(Configuration hadoop, String root) {
    this.hadoop = hadoop;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  @Override
  public String describe() {
    return root + "/aggregation_progress";
  }

  @Override
  public Optional<AggregationProgress> last(Pipeline pipeline) {
    Path dir = dir(pipeline);
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      List<Path> files = committedFiles(fs, dir);
      if (files.isEmpty()) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(files.get(files.size() - 1))) {
        return Optional.of(fromJson(pipeline, JSON.readTree(in)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the progress of " + pipeline.id + " under " + dir, e);
    }
  }

  /** The commit point of a batch (called by {@link ParquetAggregateStore} only). */
  void commit(AggregationProgress p) {
    Path dir = dir(p.pipeline());
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      fs.mkdirs(dir);
      Path target = new Path(dir, String.format("batch-%020d.json", p.batchId()));
      Path tmp = new Path(dir, "_tmp-" + UUID.randomUUID() + ".json");
      try (OutputStream out = fs.create(tmp, true)) {
        out.write(toJson(p).getBytes(StandardCharsets.UTF_8));
      } catch (IOException | RuntimeException | Error e) { // a full disk: leave no half-written temporary file
        fs.delete(tmp, false);
        throw e;
      }
      if (fs.exists(target)) {
        fs.delete(target, false); // a replay of a batch whose commit was lost mid-way
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("rename " + tmp + " -> " + target + " failed");
      }
      List<Path> files = committedFiles(fs, dir);
      for (int i = 0; i < files.size() - FILES_KEPT; i++) {
        fs.delete(files.get(i), false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit batch " + p.batchId() + " of " + p.pipeline().id, e);
    }
  }

  private Path dir(Pipeline pipeline) {
    return new Path(root + "/aggregation_progress/" + pipeline.id);
  }

  /** Committed progress files in batch order. */
  private static List<Path> committedFiles(FileSystem fs, Path dir) throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (name.startsWith("batch-") && name.endsWith(".json")) {
        files.add(s.getPath());
      }
    }
    files.sort(Comparator.comparing(Path::getName)); // zero-padded batch ids sort numerically
    return files;
  }

  static String toJson(AggregationProgress p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("pipeline", p.pipeline().id);
    n.put("batch_id", p.batchId());
    n.put("finalized_before", p.finalizedBefore() == null ? null : p.finalizedBefore().toString());
    n.put("max_event_time", p.maxEventTime() == null ? null : p.maxEventTime().toString());
    n.put("valid_total", p.validTotal());
    n.put("bad_total", p.badTotal());
    n.put("late_total", p.lateTotal());
    n.put("too_late_total", p.tooLateTotal());
    n.put("closed_before", p.closedBefore() == null ? null : p.closedBefore().toString());
    n.put("source_position", p.sourcePosition());
    n.put("updated_at", p.updatedAt().toString());
    return n.toPrettyString();
  }

  static AggregationProgress fromJson(Pipeline pipeline, JsonNode n) {
    return new AggregationProgress(
        pipeline,
        n.get("batch_id").asLong(),
        instant(n, "finalized_before"),
        instant(n, "max_event_time"),
        n.get("valid_total").asLong(),
        n.get("bad_total").asLong(),
        n.get("late_total").asLong(),
        n.has("too_late_total") ? n.get("too_late_total").asLong() : 0L, // files written before it existed
        instant(n, "closed_before"),
        n.hasNonNull("source_position") ? n.get("source_position").asText() : null,
        instant(n, "updated_at"));
  }

  private static Instant instant(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : Instant.parse(v.asText());
  }
}
