package io.siloreports.reportjob;

import java.io.IOException;
import java.nio.file.Path;

/** Where a finished report goes: a local directory, or S3 with a presigned URL on the production path. */
public interface ReportOutput {

  /** Where the object ended up and the URL to hand out. */
  record Stored(String key, String url) {}

  /** Moves or uploads {@code localFile} to {@code key} (e.g. {@code reports/<jobId>/silo_data_report.xlsx}). */
  Stored store(Path localFile, String key) throws IOException;

  /**
   * A stored report's bytes ({@link Stored#key}) when it is at most {@code maxBytes} long, else empty (an email
   * attaches a report up to a size); throws when it cannot be read or is gone.
   */
  java.util.Optional<byte[]> read(String storedKey, long maxBytes) throws IOException;

  /** Deletes a stored report ({@link Stored#key}); true when it is gone now (also when it was gone before). */
  boolean delete(String storedKey) throws IOException;

  /** What a report file is, by its name: an Excel workbook, a zip of CSV files or a PDF. */
  static String contentType(String key) {
    return key.endsWith(".zip") ? "application/zip" : key.endsWith(".pdf") ? "application/pdf"
        : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }

  /** A URL without its query string: a presigned URL's signature never goes into a log. */
  static String unsigned(String url) {
    if (url == null) {
      return null;
    }
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?<signature omitted>";
  }
}
