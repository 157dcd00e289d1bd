package io.siloreports.cli;

import io.siloreports.report.ReportRequest;
import io.siloreports.report.output.S3ReportOutput;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.jobstore.JobStores;
import io.siloreports.ingest.ValidationRules;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the report job reads from configuration, resolved once at start.
 *
 * @param hotSource where readings after finalized_before come from: {@code raw} (the stream's files or Kafka
 *     topic) or {@code mysql} (the raw time-series table {@code silo_readings}, via {@code db.*})
 * @param db the MySQL database of {@code db.*} settings, null when none is configured
 * @param request flags given on the command line (override the params stored with the job)
 * @param defaultDays range length when the request gives no {@code from}
 * @param processingTimeout a PROCESSING job older than this is reaped to FAILED
 */
public record ReportConfig(
    String jobId,
    ReportRequest request,
    SourceConfig source,
    StoreConfig sink,
    String hotSource,
    String outputDir,
    S3ReportOutput.Settings s3,
    Jdbc jobStore,
    Jdbc db,
    int defaultDays,
    Duration processingTimeout,
    ValidationRules rules,
    boolean migrateOnStart,
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
          "warehouse", "warehouse.dir",
          "hot-source", "report.hot-source");

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
        SourceConfig.from(s),
        StoreConfig.from(s),
        hotSource(s),
        s.get("report.output-dir"),
        ReportOutputs.s3(s),
        JobStores.jdbc(s),
        s.find("db.url").map(u -> StoreConfig.jdbc(s)).orElse(null),
        s.getInt("report.default-days", 31),
        s.getDuration("report.processing-timeout", Duration.ofMinutes(30)),
        ValidationRules.from(s),
        s.getBoolean("db.migrate-on-start", false),
        s.withPrefix("spark."));
  }

  /** {@code report.hot-source}: {@code raw} (the stream's source) or {@code mysql} (table silo_readings). */
  private static String hotSource(Settings s) {
    String v = s.get("report.hot-source", "raw");
    if (!v.equals("raw") && !v.equals("mysql")) {
      throw new IllegalArgumentException("report.hot-source must be raw or mysql, got '" + v + "'");
    }
    return v;
  }
}
