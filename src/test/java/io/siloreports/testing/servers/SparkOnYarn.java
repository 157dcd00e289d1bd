package io.siloreports.testing.servers;

import io.siloreports.testing.TestLogs;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Spark's own {@code SparkSubmit} in a child JVM against a {@link MiniYarn}, as a node of a cluster with Spark 3.5.6
 * for YARN runs it ({@code src/test/servers/spark-yarn-3.5.6}: EMR 7.11's Spark): {@code HADOOP_CONF_DIR} is the
 * cluster's, {@code spark.yarn.jars} the Spark jars linked into one local directory. In cluster deploy mode the driver
 * runs in the ApplicationMaster's container and the executors in containers of their own; none sees this JVM's
 * environment, so what the driver needs from it goes through {@code spark.yarn.appMasterEnv.*}.
 */
public final class SparkOnYarn {
  public static final String CLASSPATH_NAME = "spark-yarn-3.5.6";
  private static final Pattern SUBMITTED = Pattern.compile("Submitted application (application_\\d+_\\d+)");

  private final MiniYarn yarn;
  private final List<Path> sparkJars;
  private final Path jarsDir;
  private final Path workDir;

  /**
   * Links the Spark jars into {@code workDir/spark-jars}; submissions stage under {@code workDir} and log to
   * {@code target/test-logs/yarn/<name>.log}.
   */
  public SparkOnYarn(MiniYarn yarn, Path workDir) throws IOException {
    this.yarn = yarn;
    this.workDir = workDir;
    this.sparkJars = MavenClasspath.of(CLASSPATH_NAME);
    this.jarsDir = Files.createDirectories(workDir.resolve("spark-jars"));
    for (Path jar : sparkJars) {
      Path link = jarsDir.resolve(jar.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, jar);
      }
    }
  }

  /**
   * The spark-submit options a cluster's own configuration supplies to every step (on EMR its spark-defaults.conf:
   * master yarn, where Spark's jars are) and what this small cluster needs: no UI (Spark's UI filter is not in the
   * jars), one executor of 640 MB, JVMs that start fast, everything on 127.0.0.1, and {@code driverEnv} in the driver's environment.
   */
  public List<String> clusterOptions(Map<String, String> driverEnv) {
    List<String> options = new ArrayList<>(List.of("--master", "yarn"));
    conf(options, "spark.yarn.jars", "local:" + jarsDir + "/*");
    conf(options, "spark.yarn.stagingDir", workDir.resolve("staging").toUri().toString());
    conf(options, "spark.ui.enabled", "false");
    conf(options, "spark.driver.memory", "640m");
    conf(options, "spark.executor.memory", "640m");
    conf(options, "spark.executor.instances", "1");
    // Short runs on two shared cores: the client compiler only and a serial collector start the JVMs fastest.
    conf(options, "spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    conf(options, "spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    conf(options, "spark.yarn.appMasterEnv.SPARK_LOCAL_IP", "127.0.0.1");
    conf(options, "spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1");
    driverEnv.forEach((name, value) -> conf(options, "spark.yarn.appMasterEnv." + name, value));
    return options;
  }

  private static void conf(List<String> options, String key, String value) {
    options.add("--conf");
    options.add(key + "=" + value);
  }

  /** Starts {@code spark-submit <arguments>} (without the word spark-submit), its output in {@code <name>.log}. */
  public Submission start(String name, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp",
        yarn.confDir() + File.pathSeparator
            + sparkJars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "org.apache.spark.deploy.SparkSubmit"));
    command.addAll(arguments);
    Path log = TestLogs.file("yarn", name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("HADOOP_CONF_DIR", yarn.confDir().toString());
    builder.environment().put("YARN_CONF_DIR", yarn.confDir().toString());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new Submission(builder.start(), log);
  }

  /** A running spark-submit: the client that submitted the application and follows it until it ends. */
  public record Submission(Process process, Path log) {
    /** The YARN application id, once the client has submitted it. */
    public String applicationId() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (true) {
        Matcher m = SUBMITTED.matcher(output());
        if (m.find()) {
          return m.group(1);
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("spark-submit submitted no application; " + log + " ends with:\n"
              + EmbeddedKafka.tail(log, 30));
        }
        Thread.sleep(100);
      }
    }

    /** Waits for spark-submit to end and returns its exit code: what an EMR step's state is made of. */
    public int exitCode(Duration timeout) throws Exception {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("spark-submit still ran after " + timeout + "; " + log + " ends with:\n"
            + EmbeddedKafka.tail(log, 30));
      }
      return process.exitValue();
    }

    public String output() throws IOException {
      return Files.readString(log);
    }
  }
}
