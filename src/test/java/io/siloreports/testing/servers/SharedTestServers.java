package io.siloreports.testing.servers;

/**
 * One instance of each server per test JVM, started on first use and stopped when the JVM exits (each
 * server's shutdown hook). Surefire runs all test classes in one fork, so a suite starts MariaDB, S3Proxy and
 * Kafka at most once each, whichever test classes need them.
 *
 * <p>Test classes that share a server must not depend on each other's data: use their own table, bucket
 * prefix or topic names, or {@link EmbeddedMySql#recreateDatabase()}.
 */
public final class SharedTestServers {
  private static EmbeddedMySql mySql;
  private static EmbeddedS3 s3;
  private static EmbeddedKafka kafka;

  private SharedTestServers() {}

  public static synchronized EmbeddedMySql mySql() {
    if (mySql == null || !mySql.isRunning()) {
      mySql = new EmbeddedMySql().start();
    }
    return mySql;
  }

  /**
   * S3Proxy with the bucket {@value EmbeddedS3#DEFAULT_BUCKET}. Shared because Hadoop caches one S3A file
   * system per bucket for the JVM: a second server with the same bucket name on another port would be reached
   * through the first one's cached client.
   */
  public static synchronized EmbeddedS3 s3() {
    if (s3 == null || !s3.isRunning()) {
      s3 = new EmbeddedS3().start();
    }
    return s3;
  }

  public static synchronized EmbeddedKafka kafka() {
    if (kafka == null || !kafka.isRunning()) {
      kafka = new EmbeddedKafka().start();
    }
    return kafka;
  }
}
