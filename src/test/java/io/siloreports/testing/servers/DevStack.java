package io.siloreports.testing.servers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;

/**
 * The local dev stack ({@code jobs/dev-stack}): MariaDB, a Kafka broker and S3Proxy on fixed ports, the
 * pipeline topics and the report bucket created, connection settings printed, running until Ctrl-C. Nothing is
 * kept: the database, topics and objects are gone when it stops.
 *
 * <pre>
 *   --mysql-port N   (13306)   env DEV_STACK_MYSQL_PORT
 *   --kafka-port N   (19092; the KRaft controller takes N+1)   env DEV_STACK_KAFKA_PORT
 *   --s3-port N      (19000)   env DEV_STACK_S3_PORT
 *   --database NAME  (silo_reports)
 *   --bucket NAME    (silo-reports)
 *   --topics A,B     (silo-readings,activity-events)
 *   --partitions N   (3)
 * </pre>
 */
public final class DevStack {
  private static volatile boolean stopping;

  private DevStack() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    int mySqlPort = intOpt(opts, "mysql-port", "DEV_STACK_MYSQL_PORT", 13306);
    int kafkaPort = intOpt(opts, "kafka-port", "DEV_STACK_KAFKA_PORT", 19092);
    int s3Port = intOpt(opts, "s3-port", "DEV_STACK_S3_PORT", 19000);
    String database = opts.getOrDefault("database", EmbeddedMySql.DEFAULT_DATABASE);
    String bucket = opts.getOrDefault("bucket", EmbeddedS3.DEFAULT_BUCKET);
    List<String> topics = List.of(opts.getOrDefault("topics", "silo-readings,activity-events").split(","));
    int partitions = Integer.parseInt(opts.getOrDefault("partitions", "3"));

    EmbeddedMySql mySql = new EmbeddedMySql(mySqlPort, database);
    EmbeddedKafka kafka = new EmbeddedKafka(kafkaPort);
    EmbeddedS3 s3 = new EmbeddedS3(s3Port, bucket);
    List<EmbeddedServer<?>> servers = List.of(s3, kafka, mySql);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping = true;
                  System.out.println("dev stack: stopping ...");
                  servers.forEach(EmbeddedServer::closeFromShutdownHook); // also aborts a start in progress
                  System.out.println("dev stack: stopped, temp directories removed");
                },
                "dev-stack-stop"));

    long t0 = System.nanoTime();
    try {
      // MariaDB and Kafka are child processes that take seconds each: start them side by side.
      CompletableFuture<EmbeddedMySql> mySqlUp = CompletableFuture.supplyAsync(mySql::start);
      CompletableFuture<EmbeddedKafka> kafkaUp = CompletableFuture.supplyAsync(kafka::start);
      s3.start();
      mySqlUp.join();
      kafkaUp.join();
      for (String topic : topics) {
        kafka.createTopic(topic.trim(), partitions);
      }
    } catch (CompletionException | EmbeddedServer.ServerStartException e) {
      if (stopping) {
        return; // Ctrl-C during start: the shutdown hook is cleaning up
      }
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      System.err.println("dev stack: could not start: " + cause.getMessage());
      System.exit(1); // the shutdown hook stops whatever did start
    }

    System.out.println(settings(mySql, kafka, s3, topics, partitions, (System.nanoTime() - t0) / 1e9));
    new CountDownLatch(1).await(); // until Ctrl-C / SIGTERM
  }

  static String settings(
      EmbeddedMySql mySql, EmbeddedKafka kafka, EmbeddedS3 s3, List<String> topics, int partitions, double seconds) {
    List<String> l = new ArrayList<>();
    l.add("");
    l.add(String.format("# ---- silo-reports dev stack, up in %.1f s; Ctrl-C stops it and discards all data ----", seconds));
    l.add("# conf/dev-stack.properties points the jobs here (default ports); with other ports override e.g.");
    l.add("#   --conf db.url=... --conf kafka.bootstrap.servers=... --conf report.s3.endpoint=...");
    l.add("");
    l.add("db.url=" + mySql.jdbcUrl() + "        # user " + mySql.appUser() + " / " + mySql.appPassword()
        + "; root has an empty password");
    l.add("kafka.bootstrap.servers=" + kafka.bootstrapServers() + "        # topics " + String.join(", ", topics)
        + ", " + partitions + " partitions each");
    l.add("report.s3.endpoint=" + s3.endpoint() + "        # bucket " + s3.bucket() + ", keys " + s3.accessKey()
        + " / " + s3.secretKey() + ", path-style, objects in memory");
    l.add("");
    l.add("# Try it:  jobs/silo-reports migrate --config conf/dev-stack.properties");
    l.add("#          jobs/silo-reports generate --out data/dev-input --days 2");
    l.add("#          jobs/silo-reports produce  --config conf/dev-stack.properties --input data/dev-input");
    l.add("#          jobs/silo-reports stream   --config conf/dev-stack.properties");
    l.add("#          jobs/silo-reports report   --config conf/dev-stack.properties --job-id r1");
    l.add("#          mysql -h 127.0.0.1 -P " + mySql.port() + " -u root " + mySql.database());
    l.add("#          aws --endpoint-url " + s3.endpoint() + " s3 ls s3://" + s3.bucket());
    l.add("# ----");
    return String.join(System.lineSeparator(), l);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.println(
            "usage: jobs/dev-stack [--mysql-port 13306] [--kafka-port 19092] [--s3-port 19000] [--database silo_reports]"
                + " [--bucket silo-reports] [--topics silo-readings,activity-events] [--partitions 3]");
        System.exit(0);
      }
      if (!a.startsWith("--") || i + 1 >= args.length) {
        System.err.println("dev stack: expected --name value, got: " + a + " (see --help)");
        System.exit(2);
      }
      opts.put(a.substring(2), args[++i]);
    }
    return opts;
  }

  private static int intOpt(Map<String, String> opts, String name, String env, int fallback) {
    String v = opts.containsKey(name) ? opts.get(name) : System.getenv(env);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      System.err.println("dev stack: --" + name + " / " + env + " must be a port number, got: " + v);
      System.exit(2);
      return fallback;
    }
  }
}
