package io.siloreports.testing.servers;

import io.siloreports.testing.TestLogs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * <p>Longer than most files: the broker's configuration, its child JVM, its readiness check and the admin helpers the tests use.
 *
 * A real Kafka broker: Kafka 3.9 in KRaft mode (one node, broker and controller combined) in a child JVM,
 * listening on 127.0.0.1 (PLAINTEXT), log directory in the server's temp work directory.
 *
 * <p>The broker runs on its own classpath ({@link MavenClasspath}) so the project keeps Spark's
 * kafka-clients 3.4.1; the clients here (admin, producer) are that 3.4.1, which talks to a 3.9 broker. Topics
 * are not auto-created: create them with {@link #createTopic(String, int)}. The broker's output goes to
 * {@code broker.log} in the work directory; a start failure quotes its last lines. The child exits by itself if
 * this JVM dies (see {@link KafkaBrokerLauncher}).
 */
public final class EmbeddedKafka extends EmbeddedServer<EmbeddedKafka> {
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final String CHILD_JVM_OPTIONS = "-Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

  private final int requestedPort;
  private int port;
  private int controllerPort;
  private String version = "3.9";
  private Path brokerLog;
  private String classpath;
  private Path log4j;
  private Path config;
  private Path workDir;
  private Process broker;
  private Admin admin;

  /** A broker on a free port. */
  public EmbeddedKafka() {
    this(0);
  }

  /** @param port a fixed client port (the controller then takes port + 1), or 0 for free ones */
  public EmbeddedKafka(int port) {
    super("kafka");
    this.requestedPort = port;
  }

  @Override
  protected void startIn(Path workDir) throws Exception {
    if (requestedPort != 0) {
      requirePortFree(requestedPort, "the Kafka broker");
      requirePortFree(requestedPort + 1, "the Kafka controller");
    }
    port = requestedPort != 0 ? requestedPort : freePort();
    controllerPort = requestedPort != 0 ? requestedPort + 1 : freePort();

    List<Path> jars = MavenClasspath.kafkaBroker();
    version =
        jars.stream()
            .map(j -> j.getFileName().toString())
            .filter(n -> n.matches("kafka_2\\.13-.*\\.jar"))
            .map(n -> n.substring("kafka_2.13-".length(), n.length() - ".jar".length()))
            .findFirst()
            .orElse(version);
    this.workDir = workDir;
    classpath =
        MavenClasspath.launcherLocation()
            + File.pathSeparator
            + jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));

    config = workDir.resolve("server.properties");
    Files.writeString(config, serverProperties(workDir.resolve("kraft-logs")), StandardCharsets.UTF_8);
    log4j = workDir.resolve("log4j.properties");
    Files.writeString(log4j, LOG4J_PROPERTIES, StandardCharsets.UTF_8);
    brokerLog = TestLogs.file("kafka", "broker-" + workDir.getFileName() + ".log");

    // 1. Format the log directory with a fresh cluster id (KRaft needs it before the first start).
    Process format =
        launch(classpath, log4j, workDir, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
            "-c", config.toString(), "--ignore-formatted");
    if (!format.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      format.destroyForcibly();
      throw new ServerStartException(failure("formatting the KRaft storage took over " + FORMAT_TIMEOUT));
    }
    checkNotAborted();
    if (format.exitValue() != 0) {
      throw new ServerStartException(failure("formatting the KRaft storage failed (exit " + format.exitValue() + ")"));
    }

    // 2. Run the broker and wait until it answers an admin request.
    broker = launch(classpath, log4j, workDir, "kafka.Kafka", config.toString());
    awaitReady();
  }

  private Process launch(String classpath, Path log4j, Path workDir, String mainClass, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(CHILD_JVM_OPTIONS.split(" ")));
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j.configuration=" + log4j.toUri());
    command.add("-Dkafka.logs.dir=" + workDir.resolve("logs"));
    command.add(KafkaBrokerLauncher.class.getName());
    command.add(mainClass);
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog.toFile()));
    // The classpath goes through the environment: the command line stays short and readable in ps.
    builder.environment().put("CLASSPATH", classpath);
    // stdin stays an open pipe that is never written: its end-of-file tells the child that this JVM is gone.
    return builder.start();
  }

  private String serverProperties(Path logDirs) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "inter.broker.listener.name=PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + logDirs,
        "num.partitions=1",
        // One broker: internal topics cannot have more replicas than that.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        // Consumer groups start at once instead of waiting 3 s for more members.
        "group.initial.rebalance.delay.ms=0",
        // A typo in a topic name should fail, not create an empty topic.
        "auto.create.topics.enable=false",
        "log.retention.hours=-1",
        "")
        + "\n";
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    // First the port (quietly), then an admin round trip: the admin client logs a warning per refused connection.
    while (!accepts(port)) {
      checkAlive(deadline, "the broker port " + port + " to accept connections");
      Thread.sleep(100);
    }
    if (admin == null) {
      admin = Admin.create(adminProperties());
    }
    while (true) {
      try {
        int nodes = admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
        if (nodes > 0) {
          return;
        }
      } catch (ExecutionException | TimeoutException notYet) {
        // The broker is still registering with its controller.
      }
      checkAlive(deadline, "the broker to answer describeCluster");
      Thread.sleep(200);
    }
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return p;
  }

  private void checkAlive(long deadline, String waitingFor) {
    checkNotAborted();
    if (!broker.isAlive()) {
      throw new ServerStartException(failure("the broker JVM exited (code " + broker.exitValue() + ")"));
    }
    if (System.nanoTime() > deadline) {
      throw new ServerStartException(failure("timed out after " + READY_TIMEOUT.toSeconds() + " s waiting for " + waitingFor));
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String failure(String what) {
    return "Kafka " + version + " on 127.0.0.1:" + port + ": " + what + "\n--- " + brokerLog + " (tail) ---\n"
        + tail(brokerLog, 60);
  }

  /**
   * Kills the broker JVM (SIGKILL: no clean shutdown, as a crashed or lost machine), keeping its port and its log
   * directory, for {@link #resume}. Clients see connection refusals until then.
   */
  public void pause() throws InterruptedException {
    requireRunning();
    broker.destroyForcibly();
    if (!broker.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("the Kafka broker (pid " + broker.pid() + ") did not die on SIGKILL");
    }
    log.info("Kafka broker on port {} killed (paused); its data is kept", port);
  }

  /** Starts the broker again after {@link #pause}: the same port, the same log directory and cluster id. */
  public void resume() throws Exception {
    requireRunning();
    if (broker.isAlive()) {
      throw new IllegalStateException("the Kafka broker is running; pause() it first");
    }
    long t0 = System.nanoTime();
    broker = launch(classpath, log4j, workDir, "kafka.Kafka", config.toString());
    awaitReady();
    log.info("Kafka broker on port {} back after a restart in {} ms", port, (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  protected void stop() throws Exception {
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
    } finally {
      if (broker != null && broker.isAlive()) {
        broker.destroy(); // SIGTERM: Kafka's shutdown hook closes the log cleanly
        if (!broker.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          log.warn("Kafka broker (pid {}) ignored SIGTERM for {} s, killing it", broker.pid(), STOP_TIMEOUT.toSeconds());
          broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Override
  protected String description() {
    return "Kafka " + version + " (KRaft" + (broker != null ? ", child JVM pid " + broker.pid() : "") + ")";
  }

  @Override
  public int port() {
    return port;
  }

  /** host:port for {@code bootstrap.servers} / Spark's {@code kafka.bootstrap.servers}. */
  public String bootstrapServers() {
    requireRunning();
    return "127.0.0.1:" + port;
  }

  /** The broker JVM, e.g. to check it is gone after close. */
  public ProcessHandle brokerProcess() {
    return broker.toHandle();
  }

  /** Creates a topic (replication factor 1) and waits until it exists. */
  public void createTopic(String name, int partitions) {
    requireRunning();
    try {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name + ": " + e.getMessage(), e);
    }
  }

  /** The admin client of this broker (owned by the server: do not close it). */
  public Admin admin() {
    requireRunning();
    return admin;
  }

  /** Properties every client of this broker needs. */
  public Properties clientProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  /** A String/String producer (acks=all, idempotent); close it when done. */
  public KafkaProducer<String, String> producer() {
    Properties p = clientProperties();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    return new KafkaProducer<>(p);
  }

  /**
   * Sends the values (key null) in order and waits until the broker acknowledged all of them.
   *
   * @return the offsets they were written at, in order
   */
  public List<Long> send(String topic, List<String> values) {
    List<ProducerRecord<String, String>> records =
        values.stream().map(v -> new ProducerRecord<String, String>(topic, v)).collect(Collectors.toList());
    return sendRecords(records);
  }

  /** Sends keyed records (same key, same partition) and waits for all acknowledgements. */
  public List<Long> send(String topic, Map<String, String> keyedValues) {
    List<ProducerRecord<String, String>> records =
        keyedValues.entrySet().stream()
            .map(e -> new ProducerRecord<>(topic, e.getKey(), e.getValue()))
            .collect(Collectors.toList());
    return sendRecords(records);
  }

  private List<Long> sendRecords(List<ProducerRecord<String, String>> records) {
    try (KafkaProducer<String, String> producer = producer()) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (ProducerRecord<String, String> r : records) {
        acks.add(producer.send(r));
      }
      producer.flush();
      List<Long> offsets = new ArrayList<>();
      for (Future<RecordMetadata> ack : acks) {
        offsets.add(ack.get(30, TimeUnit.SECONDS).offset());
      }
      return offsets;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while producing", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("producing to " + bootstrapServers() + " failed: " + e.getMessage(), e);
    }
  }

  /** The last {@code lines} lines of a text file, or a note that it is missing. */
  static String tail(Path file, int lines) {
    try {
      if (file == null || !Files.isRegularFile(file)) {
        return "(no log at " + file + ")";
      }
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(could not read " + file + ": " + e + ")";
    }
  }

  private static final String LOG4J_PROPERTIES =
      String.join(
          "\n",
          "log4j.rootLogger=INFO, stdout",
          "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
          "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
          "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
          // The broker's INFO is a few hundred lines per start: enough to diagnose, not more.
          "log4j.logger.kafka.request.logger=WARN",
          "log4j.logger.state.change.logger=WARN",
          "log4j.logger.org.apache.kafka.controller=INFO",
          // The full config dump (~300 lines, twice) would push a start failure out of the log tail we quote.
          "log4j.logger.kafka.server.KafkaConfig=WARN",
          "");
}
