package io.siloreports.testing.servers;

import io.siloreports.testing.TestLogs;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;

/**
 * A real YARN: Hadoop 3.4.1's own {@code MiniYARNCluster} (the Hadoop of EMR 7.8-7.12, 3.4.1-amzn-N per the EMR
 * Release Guide's "Hadoop version history", docs.aws.amazon.com/emr/latest/ReleaseGuide/Hadoop-release-history.html),
 * one ResourceManager and one NodeManager, in a child JVM on its own classpath ({@code src/test/servers/mini-yarn-3.4.1},
 * see {@link MiniYarnProcess}), so its Hadoop never meets the project's (Spark's 3.3.4). Its REST API is not used: in
 * one JVM the NodeManager's web app takes over the ResourceManager's {@code /ws} paths. Containers are real processes
 * the NodeManager starts with {@code bash launch_container.sh}, their work and log directories under this server's
 * work directory; their stdout and stderr are copied to {@code target/test-logs/yarn} when the cluster stops.
 *
 * <p>Clients: {@link #confDir()} (the cluster's {@code yarn-site.xml}, for {@code HADOOP_CONF_DIR}), a typed
 * {@link YarnClient} for application and attempt reports (the client API on the project's classpath, speaking
 * YARN's RPC protocol), and {@link #yarnCommand()}, Hadoop's own {@code yarn application ...} command line
 * ({@code ApplicationCLI}) as an operator runs it. The cluster stops with its child JVM, which exits by itself if
 * this JVM dies ({@link KafkaBrokerLauncher}); {@link #close()} also stops container JVMs left behind.
 */
public final class MiniYarn extends EmbeddedServer<MiniYarn> {
  /** The Hadoop of the minicluster artifacts (src/test/servers/mini-yarn-3.4.1/pom.xml). */
  public static final String HADOOP_VERSION = "3.4.1";
  private static final String CLASSPATH_NAME = "mini-yarn-" + HADOOP_VERSION;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern RUNNING_TASK = Pattern.compile("Running task (\\S+) in stage (\\S+) \\(TID (\\d+)\\)");
  private static final Pattern CONTAINER_LOG_DIR = Pattern.compile("-Dspark\\.yarn\\.app\\.container\\.log\\.dir=(\\S+)");

  private final int nodeMemoryMb;
  private Process cluster;
  private Path confDir;
  private Path clusterLog;
  private int port;
  private YarnClient client;

  /** @param nodeMemoryMb what the NodeManager offers to containers (YARN's accounting; real memory is not checked) */
  public MiniYarn(int nodeMemoryMb) {
    super("yarn");
    this.nodeMemoryMb = nodeMemoryMb;
  }

  @Override
  protected void startIn(Path workDir) throws Exception {
    List<Path> jars = MavenClasspath.of(CLASSPATH_NAME);
    String classpath = MavenClasspath.launcherLocation() + File.pathSeparator
        + jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    confDir = workDir.resolve("conf");
    clusterLog = TestLogs.file("yarn", "cluster-" + workDir.getFileName() + ".log");
    Path log4j = workDir.resolve("log4j.properties");
    Files.writeString(log4j, String.join("\n", "log4j.rootLogger=INFO, stdout",
        "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
        "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
        "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n", ""));
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx768m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "-Dlog4j.configuration=" + log4j.toUri(),
        // MiniYARNCluster puts its directories under test.build.data.
        "-Dtest.build.data=" + workDir.resolve("cluster"),
        KafkaBrokerLauncher.class.getName(), MiniYarnProcess.class.getName(), confDir.toString(),
        Integer.toString(nodeMemoryMb)));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(clusterLog.toFile()));
    builder.environment().put("CLASSPATH", classpath);
    // The NodeManager starts containers with $JAVA_HOME/bin/java.
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // stdin stays an open pipe that is never written: its end tells the child that this JVM is gone.
    cluster = builder.start();

    Path yarnSite = confDir.resolve(MiniYarnProcess.CONFIG_FILE);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.isRegularFile(yarnSite)) {
      checkNotAborted();
      if (!cluster.isAlive()) {
        throw new ServerStartException("the mini YARN cluster exited with " + cluster.exitValue()
            + " before it was up; " + clusterLog + " ends with:\n" + EmbeddedKafka.tail(clusterLog, 40));
      }
      if (System.nanoTime() > deadline) {
        throw new ServerStartException("the mini YARN cluster was not up after " + READY_TIMEOUT.toSeconds()
            + " s; " + clusterLog + " ends with:\n" + EmbeddedKafka.tail(clusterLog, 40));
      }
      Thread.sleep(100);
    }
    String address = configuration().get(YarnConfiguration.RM_ADDRESS);
    port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    writeYarnCommand(workDir, classpath);
  }

  /** bin/yarn: Hadoop's {@code yarn} launcher reduced to what it does for {@code application}, on this cluster. */
  private void writeYarnCommand(Path workDir, String classpath) throws IOException {
    Path quietLog4j = workDir.resolve("log4j-cli.properties");
    Files.writeString(quietLog4j, "log4j.rootLogger=WARN, stderr\n"
        + "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.target=System.err\n"
        + "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
        + "log4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n\n");
    Path bin = Files.createDirectories(workDir.resolve("bin"));
    Path yarn = bin.resolve("yarn");
    Files.writeString(yarn, String.join("\n", "#!/bin/sh",
        "# yarn application|applicationattempt|container ... (the subcommand is ApplicationCLI's first argument)",
        "exec '" + java() + "' -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j.configuration=" + quietLog4j.toUri()
            + " -cp '" + confDir + File.pathSeparator + classpath + "'"
            + " org.apache.hadoop.yarn.client.cli.ApplicationCLI \"$@\"", ""), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(yarn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  protected void stop() throws Exception {
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      if (cluster != null && cluster.isAlive()) {
        cluster.destroy(); // SIGTERM: the shutdown hook stops the cluster, whose NodeManager stops its containers
        if (!cluster.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
          log.warn("mini YARN (pid {}) ignored SIGTERM for {} s, killing it", cluster.pid(), STOP_TIMEOUT.toSeconds());
          cluster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      if (workDir() != null) {
        LeftoverServers.stopProcessesUsing(workDir()); // containers whose NodeManager died first
        keepContainerLogs();
      }
    }
  }

  /** The containers' stdout and stderr, copied under target/test-logs (the work directory goes; the scan reads them). */
  private void keepContainerLogs() throws IOException {
    Path cluster = workDir().resolve("cluster");
    if (!Files.isDirectory(cluster)) {
      return;
    }
    Path kept = TestLogs.dir("yarn/containers-" + workDir().getFileName());
    try (Stream<Path> files = Files.walk(cluster)) {
      for (Path f : files.filter(p -> Files.isRegularFile(p) && (p.endsWith("stderr") || p.endsWith("stdout"))
          && p.getParent().getFileName().toString().startsWith("container_")).toList()) {
        Files.copy(f, kept.resolve(f.getParent().getFileName() + "-" + f.getFileName() + ".log"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Override
  protected String description() {
    return "Hadoop " + HADOOP_VERSION + " MiniYARNCluster (1 RM, 1 NM" + (cluster != null ? ", child JVM pid "
        + cluster.pid() : "") + ")";
  }

  /** The ResourceManager's client port. */
  @Override
  public int port() {
    return port;
  }

  /** The directory of the cluster's {@code yarn-site.xml}: HADOOP_CONF_DIR / YARN_CONF_DIR of a client. */
  public Path confDir() {
    requireRunning();
    return confDir;
  }

  /** The cluster's own log (ResourceManager and NodeManager), under target/test-logs/yarn. */
  public Path clusterLog() {
    return clusterLog;
  }

  /** {@code bin/yarn} of this cluster: {@code yarn application -list}, {@code -status}, {@code -kill}. */
  public Path yarnCommand() {
    requireRunning();
    return workDir().resolve("bin/yarn");
  }

  /** The cluster's configuration as its clients read it. */
  public Configuration configuration() {
    Configuration conf = new YarnConfiguration();
    conf.addResource(new org.apache.hadoop.fs.Path(confDir.resolve(MiniYarnProcess.CONFIG_FILE).toUri()));
    return conf;
  }

  /** What the ResourceManager says of an application now. */
  public ApplicationReport application(String applicationId) {
    try {
      return client().getApplicationReport(ApplicationId.fromString(applicationId));
    } catch (YarnException | IOException e) {
      throw new IllegalStateException("the ResourceManager did not report " + applicationId + ": " + e, e);
    }
  }

  /** Asks the ResourceManager to kill an application that is still running (a test's clean-up). */
  public void kill(String applicationId) {
    try {
      ApplicationReport app = application(applicationId);
      if (app.getFinalApplicationStatus() == FinalApplicationStatus.UNDEFINED) {
        client().killApplication(ApplicationId.fromString(applicationId));
      }
    } catch (YarnException | IOException e) {
      log.warn("could not kill {}: {}", applicationId, e.toString());
    }
  }

  /** The application's attempts (one per ApplicationMaster YARN started). */
  public List<ApplicationAttemptReport> attempts(String applicationId) {
    try {
      return client().getApplicationAttempts(ApplicationId.fromString(applicationId));
    } catch (YarnException | IOException e) {
      throw new IllegalStateException("the ResourceManager did not list the attempts of " + applicationId, e);
    }
  }

  private synchronized YarnClient client() {
    requireRunning();
    if (client == null) {
      client = YarnClient.createYarnClient();
      client.init(configuration());
      client.start();
    }
    return client;
  }

  /**
   * The log directories of the application's containers, by container id (the ApplicationMaster's ends in
   * {@code _000001}), as the NodeManager keeps them: {@code stdout}, {@code stderr}, {@code launch_container.sh}.
   */
  public List<Path> containerLogDirs(String applicationId) {
    try (Stream<Path> dirs = Files.walk(workDir().resolve("cluster"), 4)) {
      List<Path> appDirs = dirs.filter(d -> d.getFileName().toString().equals(applicationId)
          && d.getParent().getFileName().toString().contains("logDir")).toList();
      List<Path> containers = new ArrayList<>();
      for (Path app : appDirs) {
        try (Stream<Path> c = Files.list(app)) {
          c.filter(Files::isDirectory).sorted().forEach(containers::add);
        }
      }
      return containers;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the container logs of " + applicationId, e);
    }
  }

  /** The ApplicationMaster's output of the application's first attempt: in cluster mode, the driver's log. */
  public Path driverLog(String applicationId) {
    return containerLogDirs(applicationId).stream()
        .filter(d -> d.getFileName().toString().endsWith("_01_000001")).findFirst()
        .map(d -> d.resolve("stderr"))
        .orElseThrow(() -> new AssertionError("no ApplicationMaster container logged for " + applicationId));
  }

  /** A task that was running in an executor when the executor was SIGKILLed: as Spark names it in its logs. */
  public record KilledTask(String task, String stage, String tid) {}

  /**
   * SIGKILLs the application's executor at the moment its container's log shows a task started and not finished
   * (one core: one task at a time), so the kill lands inside a task, and returns that task.
   */
  public KilledTask killExecutorInsideATask(String applicationId, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<ExecutorJvm> found = List.of();
    while (System.nanoTime() < deadline) {
      if (found.isEmpty()) {
        found = executors(applicationId); // once: listing every process takes longer than a short task
      }
      for (ExecutorJvm executor : found) {
        String log = Files.exists(executor.stderr()) ? Files.readString(executor.stderr()) : "";
        Matcher running = RUNNING_TASK.matcher(log);
        KilledTask last = null;
        while (running.find()) {
          last = new KilledTask(running.group(1), running.group(2), running.group(3));
        }
        // A finished task logs "Finished task 0.0 in stage 3.0 (TID 5). 2416 bytes result sent to driver".
        if (last != null && !log.contains("(TID " + last.tid() + "). ")) {
          executor.process().destroyForcibly();
          return last;
        }
      }
      Thread.sleep(5);
    }
    throw new AssertionError("no executor of " + applicationId + " was seen running a task in " + timeout);
  }

  /** A Spark executor's JVM in a container of this cluster: the process and its container's stderr. */
  public record ExecutorJvm(ProcessHandle process, Path stderr) {}

  /** The JVMs of the application's Spark executors running now (not the shells that launched them). */
  public List<ExecutorJvm> executors(String applicationId) {
    String workDir = workDir().toString();
    List<ExecutorJvm> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      Optional<String> cmd = p.info().commandLine();
      if (cmd.isPresent() && p.info().command().map(c -> c.endsWith("/java")).orElse(false)
          && cmd.get().contains("YarnCoarseGrainedExecutorBackend") && cmd.get().contains(applicationId)
          && cmd.get().contains(workDir)) {
        Matcher m = CONTAINER_LOG_DIR.matcher(cmd.get());
        if (m.find()) {
          out.add(new ExecutorJvm(p, Path.of(m.group(1), "stderr")));
        }
      }
    });
    return out;
  }
}
