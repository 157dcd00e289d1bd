package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the {@code api} command reads from configuration.
 *
 * @param publicUrl the service's address as browsers reach it (download links of local reports); null: the
 *     address it listens on
 * @param signingKey signs local download links; null for a random key per start
 * @param worker the worker it runs, or null ({@code api.worker=false})
 * @param sparkConf {@code spark.hadoop.*} keys reach the Hadoop file system that reads Parquet
 * @param accessLog which requests the access log writes at INFO ({@code all}, {@code errors}, {@code off})
 * @param slowRequest a request this slow is logged as an error would be
 */
public record ApiConfig(
    String bind,
    int port,
    String publicUrl,
    String tokens,
    int threads,
    Duration maxCommitAge,
    Duration pollInterval,
    Duration pollMax,
    int defaultDays,
    String signingKey,
    Jdbc jobStore,
    StoreConfig store,
    OutputConfig output,
    Duration linkTtl,
    boolean migrateOnStart,
    WorkerConfig worker,
    Map<String, String> sparkConf,
    String accessLog,
    Duration slowRequest) {

  public static ApiConfig from(Settings s) {
    return new ApiConfig(
        s.get(Keys.API_BIND),
        s.get(Keys.API_PORT),
        s.find(Keys.API_PUBLIC_URL).orElse(null),
        s.find(Keys.API_TOKENS).orElseThrow(() -> new IllegalArgumentException("the API needs bearer tokens: set "
            + Keys.API_TOKENS.envName() + "=name:token[,name2:token2]")),
        s.get(Keys.API_THREADS),
        s.get(Keys.API_HEALTH_MAX_COMMIT_AGE),
        s.get(Keys.API_PAGE_POLL_INTERVAL),
        s.get(Keys.API_PAGE_POLL_MAX),
        s.get(Keys.REPORT_DEFAULT_DAYS),
        s.find(Keys.API_DOWNLOAD_SIGNING_KEY).orElse(null),
        Configs.jobStore(s),
        StoreConfig.from(s),
        OutputConfig.from(s),
        s.get(Keys.REPORT_PRESIGN_TTL),
        s.get(Keys.DB_MIGRATE_ON_START),
        s.get(Keys.API_WORKER) ? WorkerConfig.from(s) : null,
        Configs.sparkConf(s),
        s.get(Keys.API_ACCESS_LOG),
        s.get(Keys.API_ACCESS_LOG_SLOW));
  }
}
