package io.siloreports.stream;

import java.io.IOException;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned stop of a running stream ({@code stream.stop-file}): a file, or an S3 object, an operator creates. A YARN
 * kill ends an EMR step FAILED; a stream that finds its marker stops between micro-batches and returns normally, so
 * the step ends COMPLETED. The marker is deleted when it has stopped a run, and one found at a start (left from
 * before) is deleted then, so the next start always runs. Read through Hadoop's file systems: local, HDFS, s3a.
 */
public final class StopMarker {
  private static final Logger LOG = LoggerFactory.getLogger(StreamJob.class);

  private final Path path;
  private final Configuration hadoop;
  private boolean warned;

  public StopMarker(String path, Configuration hadoop) {
    this.path = new Path(Objects.requireNonNull(path, "path"));
    this.hadoop = Objects.requireNonNull(hadoop, "hadoop");
  }

  public String path() {
    return path.toString();
  }

  /** Whether the marker is there now; a file system that cannot be asked is logged once and taken as no. */
  public boolean present() {
    try {
      boolean there = fileSystem().exists(path);
      warned = false;
      return there;
    } catch (IOException | RuntimeException e) {
      if (!warned) {
        LOG.warn("could not look for the stop file {} ({}); the stream goes on and looks again", path, e.toString());
        warned = true;
      }
      return false;
    }
  }

  /** At a start: deletes a marker left from before (it stopped an earlier run, or came while none ran). */
  public void clearLeftover() {
    if (present() && delete()) {
      LOG.info("the stop file {} was there before this start (it stopped an earlier run): deleted, the stream runs;"
          + " create it again while the stream runs to stop it", path);
    }
  }

  /** Deletes the marker; whether it is gone (a failure is logged: the next start deletes it). */
  public boolean delete() {
    try {
      fileSystem().delete(path, false);
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not delete the stop file {} ({}); the next start deletes it", path, e.toString());
      return false;
    }
  }

  private FileSystem fileSystem() throws IOException {
    return path.getFileSystem(hadoop);
  }
}
