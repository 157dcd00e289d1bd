package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.report.statistics.StatisticsSettings;
import io.siloreports.reportjob.ReportRequest;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the {@code report} command reads from configuration, resolved once at start.
 *
 * @param request flags given on the command line (override the params stored with the job)
 * @param hotFromMySql readings after finalized_before come from the MySQL raw table {@code silo_readings}
 *     ({@code report.hot-source=mysql}) instead of the stream's source
 * @param db the MySQL database of {@code db.*}, null when none is configured
 * @param defaultDays range length when the request gives no {@code from}
 * @param processingTimeout a PROCESSING job older than this is reaped to FAILED
 * @param jobStoreRetry how long a failed run retries recording FAILED while the job store is unreachable
 * @param jobCheckInterval how often a run checks that its job is still PROCESSING
 * @param checkpointDir the stream's checkpoint root, where the report reads which files or Kafka offsets the stream
 *     has committed (so it reads raw only the rest)
 */
public record ReportConfig(
    String jobId,
    ReportRequest request,
    SourceConfig source,
    StoreConfig store,
    boolean hotFromMySql,
    OutputConfig output,
    Jdbc jobStore,
    Jdbc db,
    int defaultDays,
    Duration processingTimeout,
    Duration jobStoreRetry,
    Duration jobCheckInterval,
    ValidationRules rules,
    StatisticsSettings statistics,
    boolean migrateOnStart,
    Map<String, String> sparkConf,
    String checkpointDir) {

  public static ReportConfig from(Settings s) {
    ReportRequest request =
        new ReportRequest(
            s.find(Keys.REPORT_FROM).orElse(null),
            s.find(Keys.REPORT_TO).orElse(null),
            ReportRequest.parseSilos(s.find(Keys.REPORT_SILOS).orElse("")),
            s.find(Keys.REPORT_AS_OF).orElse(null),
            s.find(Keys.REPORT_FORMAT).map(ReportRequest.Format::parse).orElse(null),
            java.util.List.of());
    boolean hotFromMySql = s.get(Keys.REPORT_HOT_SOURCE).equals("mysql");
    return new ReportConfig(
        s.get(Keys.REPORT_JOB_ID),
        request,
        SourceConfig.from(s),
        StoreConfig.from(s),
        hotFromMySql,
        OutputConfig.from(s),
        Configs.jobStore(s),
        hotFromMySql ? Configs.requiredDb(s, "report.hot-source is mysql") : Configs.db(s),
        s.get(Keys.REPORT_DEFAULT_DAYS),
        s.get(Keys.REPORT_PROCESSING_TIMEOUT),
        s.get(Keys.REPORT_JOB_STORE_RETRY),
        s.get(Keys.REPORT_JOB_CHECK_INTERVAL),
        Configs.rules(s),
        new StatisticsSettings(s.get(Keys.REPORT_ANOMALY_THRESHOLD), s.get(Keys.REPORT_ANOMALY_FLAT_HOURS),
            s.get(Keys.REPORT_STALE_AFTER), s.get(Keys.REPORT_TREND_FULL_LEVEL), s.get(Keys.REPORT_CHART_MAX_SILOS),
            s.get(Keys.REPORT_CHARTS)),
        s.get(Keys.DB_MIGRATE_ON_START),
        Configs.sparkConf(s),
        s.get(Keys.CHECKPOINT_DIR));
  }
}
