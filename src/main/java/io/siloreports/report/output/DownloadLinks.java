package io.siloreports.report.output;

import java.util.Optional;

/** Fresh download links for stored reports: presigned S3 URLs, or signed links the HTTP service serves. */
public interface DownloadLinks {

  /** A link that works now for the object stored under {@code key}, or empty when the object is gone. */
  Optional<String> link(String key);
}
