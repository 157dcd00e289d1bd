package io.siloreports.cli;

import io.siloreports.report.output.LocalReportOutput;
import io.siloreports.report.output.ReportOutput;
import io.siloreports.report.output.S3ReportOutput;

import io.siloreports.config.Settings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where reports go, from {@code report.output-dir}: a local directory, or {@code s3://bucket/prefix} /
 * {@code s3a://bucket/prefix} with {@code report.s3.*} settings (region, endpoint for S3-compatible servers,
 * path-style, presigned URL TTL {@code report.presign-ttl}, default 15 minutes).
 */
public final class ReportOutputs {
  private ReportOutputs() {}

  public static boolean isS3(String outputDir) {
    return outputDir.startsWith("s3://") || outputDir.startsWith("s3a://");
  }

  public static ReportOutput create(ReportConfig config) {
    return config.s3() != null ? new S3ReportOutput(config.s3()) : new LocalReportOutput(Path.of(config.outputDir()));
  }

  /** The S3 settings when {@code report.output-dir} is an S3 location, else null. */
  public static S3ReportOutput.Settings s3(Settings s) {
    String out = s.get("report.output-dir");
    if (!isS3(out)) {
      return null;
    }
    String rest = out.substring(out.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    return new S3ReportOutput.Settings(
        bucket,
        prefix,
        s.get("report.s3.region", "us-east-1"),
        s.get("report.s3.endpoint", null),
        s.getBoolean("report.s3.path-style", false),
        s.get("report.s3.access-key", null),
        s.get("report.s3.secret-key", null),
        s.getDuration("report.presign-ttl", Duration.ofMinutes(15)));
  }
}
