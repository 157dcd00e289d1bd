package io.siloreports.testing;

import io.siloreports.config.Settings;
import io.siloreports.testing.servers.EmbeddedKafka;
import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings profiles the tests start from, layered like a config file: the embedded default under a temporary
 * directory, then what MySQL, S3 or Kafka change. Each returns a mutable map to adjust, {@link #settings} makes it
 * {@link Settings} (the declared defaults below it).
 */
public final class Profiles {
  private Profiles() {}

  /** File source, Parquet aggregates, local reports and a SQLite job store, all under {@code dir}. */
  public static Map<String, String> embedded(Path dir) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("input.dir", dir.resolve("input").toString());
    m.put("warehouse.dir", dir.resolve("warehouse").toString());
    m.put("checkpoint.dir", dir.resolve("checkpoints").toString());
    m.put("report.output-dir", dir.resolve("output").toString());
    m.put("jobstore.url", "jdbc:sqlite:" + dir.resolve("jobstore.db"));
    m.put("db.migrate-on-start", "true");
    m.put("stream.allowed-lateness", "30m");
    m.put("source.file.maxFilesPerTrigger", "1");
    m.put("report.job-id", "unused");
    return m;
  }

  /** {@code base} with the aggregates and the job store in MariaDB ({@code database}, or the server's default). */
  public static Map<String, String> mysql(Map<String, String> base, EmbeddedMySql server, String database) {
    Map<String, String> m = new LinkedHashMap<>(base);
    m.put("sink.type", "mysql");
    m.put("db.url", database == null ? server.jdbcUrl() : server.jdbcUrl(database));
    m.put("db.user", server.appUser());
    m.put("db.password", server.appPassword());
    m.put("jobstore.url", "${db.url}");
    m.put("jobstore.user", "${db.user}");
    m.put("jobstore.password", "${db.password}");
    return m;
  }

  /** {@code base} reading Kafka topics {@code silo-readings-<suffix>} and {@code activity-events-<suffix>}. */
  public static Map<String, String> kafka(Map<String, String> base, EmbeddedKafka server, String suffix) {
    Map<String, String> m = new LinkedHashMap<>(base);
    m.put("source.type", "kafka");
    m.put("kafka.bootstrap.servers", server.bootstrapServers());
    m.put("source.kafka.topic.silo-readings", "silo-readings-" + suffix);
    m.put("source.kafka.topic.activity-events", "activity-events-" + suffix);
    return m;
  }

  /** {@code base} writing reports under {@code s3a://<bucket>/<prefix>} on S3Proxy, with presigned URLs. */
  public static Map<String, String> s3(Map<String, String> base, EmbeddedS3 server, String prefix) {
    Map<String, String> m = new LinkedHashMap<>(base);
    m.put("report.output-dir", "s3a://" + server.bucket() + "/" + prefix);
    m.put("report.s3.endpoint", server.endpoint().toString());
    m.put("report.s3.path-style", "true");
    m.put("report.s3.access-key", server.accessKey());
    m.put("report.s3.secret-key", server.secretKey());
    return m;
  }

  /**
   * {@code base} as a report service: an ephemeral port, the token {@code name:token}, and a worker that polls often
   * and runs each report in a small local JVM with its log under {@code dir}.
   */
  public static Map<String, String> service(Map<String, String> base, Path dir, String nameAndToken) {
    Map<String, String> m = new LinkedHashMap<>(base);
    m.remove("report.job-id");
    m.put("api.port", "0");
    m.put("api.tokens", nameAndToken);
    m.put("worker.poll-interval", "300ms");
    m.put("submit.local.master", "local[1]");
    m.put("submit.local.java-options", "-Xmx768m");
    m.put("submit.local.log-dir", TestLogs.dir("report-logs").resolve(dir.getFileName().toString()).toString());
    return m;
  }

  public static Settings settings(Map<String, String> profile) {
    return Settings.of(profile);
  }
}
