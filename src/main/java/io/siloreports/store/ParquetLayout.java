package io.siloreports.store;

import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where the Parquet store keeps what, and which of it is committed; Spark-free, so the writer
 * ({@link ParquetAggregateStore}) and the readers without Spark ({@link ParquetStoreQueries}) agree on it.
 *
 * <pre>
 * root/silo_hourly_aggregates/batch_id=N/         partials of batch N (bucket_counts/ alike)
 * root/quarantine/pipeline=P/batch_id=N/          bad and late records of batch N
 * root/aggregation_progress/P/batch-N.json        the commit of batch N ({@link ParquetProgressStore})
 * root/compacted/silo_hourly_aggregates/upto=B/   merged partials of every batch up to B
 * root/compacted/silo_hourly_aggregates/_CURRENT  B, written once upto=B is complete
 * </pre>
 */
final class ParquetLayout {
  private final Configuration hadoop;
  private final String root;

  ParquetLayout(Configuration hadoop, String root) {
    this.hadoop = hadoop;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }
  Configuration hadoop() {
    return hadoop;
  }


  String root() {
    return root;
  }

  Path tableDir(Pipeline p) {
    return new Path(root + "/" + p.table);
  }

  Path batchDir(Pipeline p, long batchId) {
    return new Path(tableDir(p), "batch_id=" + batchId);
  }

  Path quarantineDir(Pipeline p) {
    return new Path(root + "/quarantine/pipeline=" + p.id);
  }

  Path compactedRoot(Pipeline p) {
    return new Path(root + "/compacted/" + p.table);
  }

  Path compactedDir(Pipeline p, long upTo) {
    return new Path(compactedRoot(p), "upto=" + upTo);
  }

  Path marker(Pipeline p) {
    return new Path(compactedRoot(p), "_CURRENT");
  }

  FileSystem fs() throws IOException {
    return new Path(root).getFileSystem(hadoop);
  }

  /** The batch id the current compacted file set covers, or null before the first compaction. */
  Long compactedUpTo(Pipeline p) {
    Path marker = marker(p);
    try {
      FileSystem fs = fs();
      if (!fs.exists(marker)) {
        return null;
      }
      try (var in = fs.open(marker)) {
        return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + marker, e);
    }
  }

  /**
   * The directories whose partials, merged, are the aggregates as of {@code committedBatchId}: the current
   * compacted set (if any) and every batch directory after it up to the committed batch. A batch directory after
   * the committed one belongs to a batch whose commit has not happened (or was lost): it is left out.
   */
  List<Path> committedPartialDirs(Pipeline p, long committedBatchId) {
    List<Path> dirs = new ArrayList<>();
    Long base = compactedUpTo(p);
    if (base != null) {
      dirs.add(compactedDir(p, base));
    }
    for (long[] batch : batchDirs(p)) {
      if (batch[0] <= committedBatchId && (base == null || batch[0] > base)) {
        dirs.add(batchDir(p, batch[0]));
      }
    }
    return dirs;
  }

  /** The batch ids that have a directory, in order (as one-element arrays, to keep them unboxed). */
  List<long[]> batchDirs(Pipeline p) {
    List<long[]> out = new ArrayList<>();
    try {
      FileSystem fs = fs();
      Path dir = tableDir(p);
      if (!fs.exists(dir)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(dir)) {
        String name = st.getPath().getName();
        if (st.isDirectory() && name.startsWith("batch_id=")) {
          out.add(new long[] {Long.parseLong(name.substring("batch_id=".length()))});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + tableDir(p), e);
    }
    out.sort(Comparator.comparingLong(b -> b[0]));
    return out;
  }

  /** The Parquet part files under {@code dirs} (files starting with '_' or '.' are Spark's markers). */
  List<Path> partFiles(List<Path> dirs) {
    List<Path> files = new ArrayList<>();
    try {
      FileSystem fs = fs();
      for (Path d : dirs) {
        if (!fs.exists(d)) {
          continue;
        }
        for (FileStatus st : fs.listStatus(d)) {
          String name = st.getPath().getName();
          if (st.isFile() && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
            files.add(st.getPath());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list Parquet files under " + root, e);
    }
    return files;
  }
}
