package io.siloreports.report.output;

import java.io.IOException;
import java.nio.file.Path;

/** Where a finished workbook goes: a local directory now, S3 with a presigned URL on the production path. */
public interface ReportOutput {

  /** Where the object ended up and the URL to hand out. */
  record Stored(String key, String url) {}

  /** Moves or uploads {@code localFile} to {@code key} (e.g. {@code reports/<jobId>/silo_data_report.xlsx}). */
  Stored store(Path localFile, String key) throws IOException;
}
