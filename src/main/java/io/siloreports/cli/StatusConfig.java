package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the {@code status} command reads from configuration.
 *
 * @param jobId the job to show in detail, or null to list the latest jobs and the stream's progress
 * @param sparkConf {@code spark.hadoop.*} keys reach the Hadoop file system that reads Parquet progress
 */
public record StatusConfig(
    Jdbc jobStore,
    StoreConfig store,
    OutputConfig output,
    String jobId,
    int limit,
    Duration processingTimeout,
    boolean migrateOnStart,
    Map<String, String> sparkConf) {

  public static StatusConfig from(Settings s) {
    return new StatusConfig(
        Configs.jobStore(s),
        StoreConfig.from(s),
        OutputConfig.from(s),
        s.find(Keys.REPORT_JOB_ID).orElse(null),
        s.get(Keys.STATUS_LIMIT),
        s.get(Keys.REPORT_PROCESSING_TIMEOUT),
        s.get(Keys.DB_MIGRATE_ON_START),
        Configs.sparkConf(s));
  }
}
