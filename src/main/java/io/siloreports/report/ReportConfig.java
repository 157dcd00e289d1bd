package io.siloreports.report;

import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the report job reads from configuration, resolved once at start.
 *
 * @param request flags given on the command line (override the params stored with the job)
 * @param defaultDays range length when the request gives no {@code from}
 * @param processingTimeout a PROCESSING job older than this is reaped to FAILED
 */
public record ReportConfig(
    String jobId,
    ReportRequest request,
    String inputDir,
    String warehouseDir,
    String outputDir,
    String jobStoreUrl,
    String jobStoreUser,
    String jobStorePassword,
    int defaultDays,
    Duration processingTimeout,
    ValidationRules rules,
    Map<String, String> sparkConf) {

  public static final Map<String, String> FLAGS =
      Map.of(
          "job-id", "report.job-id",
          "from", "report.from",
          "to", "report.to",
          "silos", "report.silos",
          "as-of", "report.as-of",
          "output", "report.output-dir",
          "input", "input.dir",
          "warehouse", "warehouse.dir");

  public static ReportConfig from(Settings s) {
    ReportRequest request =
        new ReportRequest(
            s.findInstant("report.from").orElse(null),
            s.findInstant("report.to").orElse(null),
            ReportRequest.parseSilos(s.get("report.silos", "")),
            s.findInstant("report.as-of").orElse(null));
    return new ReportConfig(
        s.get("report.job-id"),
        request,
        s.get("input.dir"),
        s.get("warehouse.dir"),
        s.get("report.output-dir"),
        s.get("jobstore.url"),
        s.get("jobstore.user", null),
        s.get("jobstore.password", null),
        s.getInt("report.default-days", 31),
        s.getDuration("report.processing-timeout", Duration.ofMinutes(30)),
        ValidationRules.from(s),
        s.withPrefix("spark."));
  }
}
