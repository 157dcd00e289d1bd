package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.output.S3ReportOutput;

/**
 * Where reports go, from {@code report.output-dir}: a local directory, or {@code s3://bucket/prefix} /
 * {@code s3a://bucket/prefix} with the {@code report.s3.*} settings and {@code report.presign-ttl}.
 *
 * @param s3 the S3 settings when the output is on S3, else null
 */
public record OutputConfig(String dir, S3ReportOutput.Settings s3) {

  public static OutputConfig from(Settings s) {
    String out = s.get(Keys.REPORT_OUTPUT_DIR);
    if (!out.startsWith("s3://") && !out.startsWith("s3a://")) {
      return new OutputConfig(out, null);
    }
    String rest = out.substring(out.indexOf("://") + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix = prefix + "/";
    }
    return new OutputConfig(out, new S3ReportOutput.Settings(
        bucket,
        prefix,
        s.get(Keys.REPORT_S3_REGION),
        s.find(Keys.REPORT_S3_ENDPOINT).orElse(null),
        s.get(Keys.REPORT_S3_PATH_STYLE),
        s.find(Keys.REPORT_S3_ACCESS_KEY).orElse(null),
        s.find(Keys.REPORT_S3_SECRET_KEY).orElse(null),
        s.get(Keys.REPORT_PRESIGN_TTL)));
  }
}
