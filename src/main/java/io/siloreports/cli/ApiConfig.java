package io.siloreports.cli;

import io.siloreports.api.ConnectionLimits;
import io.siloreports.api.TlsIdentity;
import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the {@code api} command reads from configuration.
 *
 * @param publicUrl the service's address as browsers reach it (download links of local reports); null: the
 *     address it listens on
 * @param signingKey signs local download links; null for a random key per start
 * @param worker the worker it runs, or null ({@code api.worker=false})
 * @param sparkConf {@code spark.hadoop.*} keys reach the Hadoop file system that reads Parquet
 * @param tls the certificate and key the service serves HTTPS with; null: plain HTTP
 * @param corsOrigins origins whose pages may call the API
 * @param metricsPublic {@code /metrics} without a bearer token
 * @param accessLog which requests the access log writes at INFO ({@code all}, {@code errors}, {@code off})
 * @param slowRequest a request this slow is logged as an error would be
 * @param readLinkTtl how long the links notifications and {@code shareUrl} carry work ({@code notify.link-ttl})
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
    Access access,
    ConnectionLimits limits,
    TlsIdentity tls,
    Duration hstsMaxAge,
    Set<String> corsOrigins,
    boolean metricsPublic,
    String accessLog,
    Duration slowRequest,
    Duration readLinkTtl) {

  /**
   * Who may ask how much: failed-authentication throttling per client address, the job quotas, and whom a request
   * may have the report emailed to, and which targets a schedule made through the API may name.
   */
  public record Access(String trustedProxies, int maxAuthFailures, Duration authFailureWindow, int pendingPerToken,
      int pendingTotal, io.siloreports.reportjob.EmailRecipients emailRecipients,
      io.siloreports.reportjob.ScheduleTargets scheduleTargets) {
    static Access from(Settings s) {
      var recipients =
          io.siloreports.reportjob.EmailRecipients.parse(s.find(Keys.NOTIFY_EMAIL_ALLOWED_DOMAINS).orElse(null));
      return new Access(s.find(Keys.API_TRUSTED_PROXIES).orElse(null), s.get(Keys.API_AUTH_MAX_FAILURES),
          s.get(Keys.API_AUTH_FAILURE_WINDOW), s.get(Keys.API_QUOTA_PENDING_PER_TOKEN),
          s.get(Keys.API_QUOTA_PENDING_TOTAL), recipients,
          new io.siloreports.reportjob.ScheduleTargets(WorkerConfig.notifyTargets(s), recipients));
    }
  }

  public static ApiConfig from(Settings s) {
    return new ApiConfig(
        s.get(Keys.API_BIND),
        s.get(Keys.API_PORT),
        s.find(Keys.API_PUBLIC_URL).orElse(null),
        s.find(Keys.API_TOKENS).orElseThrow(() -> new IllegalArgumentException("the API needs bearer tokens: set "
            + Keys.API_TOKENS.envName() + "=name:token[,name2:sha256:<hex>] (silo-reports token new <name> makes one)")),
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
        Access.from(s),
        new ConnectionLimits(s.get(Keys.API_REQUEST_TIMEOUT), s.get(Keys.API_RESPONSE_TIMEOUT),
            s.get(Keys.API_IDLE_TIMEOUT), s.get(Keys.API_MAX_CONNECTIONS)),
        tls(s),
        s.get(Keys.API_TLS_HSTS_MAX_AGE),
        corsOrigins(s),
        s.get(Keys.API_METRICS_PUBLIC),
        s.get(Keys.API_ACCESS_LOG),
        s.get(Keys.API_ACCESS_LOG_SLOW),
        s.get(Keys.NOTIFY_LINK_TTL));
  }

  /** PEM files or a PKCS12 store, not both; read now, so a wrong file stops the start with the setting's name. */
  private static TlsIdentity tls(Settings s) {
    Optional<String> cert = s.find(Keys.API_TLS_CERTIFICATE);
    Optional<String> key = s.find(Keys.API_TLS_PRIVATE_KEY);
    Optional<String> store = s.find(Keys.API_TLS_KEYSTORE);
    if (store.isPresent()) {
      if (cert.isPresent() || key.isPresent()) {
        throw new IllegalArgumentException(Keys.API_TLS_KEYSTORE.key() + " and " + Keys.API_TLS_CERTIFICATE.key()
            + "/" + Keys.API_TLS_PRIVATE_KEY.key() + " are both set: give one of them");
      }
      return TlsIdentity.fromPkcs12(Path.of(store.get()), s.find(Keys.API_TLS_KEYSTORE_PASSWORD).orElse(null));
    }
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException((cert.isPresent() ? Keys.API_TLS_PRIVATE_KEY : Keys.API_TLS_CERTIFICATE)
          .key() + " is missing: TLS needs both " + Keys.API_TLS_CERTIFICATE.key() + " and "
          + Keys.API_TLS_PRIVATE_KEY.key());
    }
    return cert.isPresent() ? TlsIdentity.fromPem(Path.of(cert.get()), Path.of(key.get())) : null;
  }

  private static Set<String> corsOrigins(Settings s) {
    Set<String> out = new LinkedHashSet<>();
    for (String o : s.find(Keys.API_CORS_ALLOWED_ORIGINS).orElse("").split(",")) {
      if (!o.isBlank()) {
        out.add(o.trim());
      }
    }
    return out;
  }
}
