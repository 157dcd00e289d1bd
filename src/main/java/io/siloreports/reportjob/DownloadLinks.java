package io.siloreports.reportjob;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Fresh download links for stored reports: presigned S3 URLs, or signed links to files the report service itself
 * serves under {@link #SERVED_PATH} (reports in a local directory).
 */
public interface DownloadLinks {
  /** The path under the service's address that serves local report files. */
  String SERVED_PATH = "/api/files/";

  /** A link that works now for the object stored under {@code key}, or empty when the object is gone. */
  Optional<String> link(String key);

  /** Whether the service serves the files these links name (local reports), rather than another host (S3). */
  default boolean servesFiles() {
    return false;
  }

  /** The file a served link names, when its signature is right and it has not expired; empty otherwise. */
  default Optional<Path> servedFile(String key, String expires, String signature) {
    return Optional.empty();
  }
}
