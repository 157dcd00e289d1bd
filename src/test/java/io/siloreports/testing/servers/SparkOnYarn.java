package io.siloreports.testing.servers;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.testing.TestLogs;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
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
  List<String> clusterOptions(Map<String, String> driverEnv) {
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

  /**
   * Starts the EMR step of {@code command} exactly as {@code deploy/silo_reports_steps.py} builds it (its {@code step}
   * command's spark-submit arguments, {@code jobFlags} after {@code --config emr.properties}), plus
   * {@link #clusterOptions}, on an artifacts directory laid out as {@code add-steps.sh upload} does: the shaded jar,
   * and {@code settings} as {@code emr.properties} without its secrets, which go to the driver's environment as
   * {@code SILO_REPORTS_*} instead. Returns once YARN has accepted the application.
   */
  public Submission startStep(String name, String command, Path shadedJar, Map<String, String> settings,
      List<String> jobFlags) throws Exception {
    Path artifacts = Files.createDirectories(workDir.resolve("artifacts-" + name));
    Files.createSymbolicLink(artifacts.resolve("silo-reports-shaded.jar"), shadedJar);
    Map<String, String> secrets = new LinkedHashMap<>();
    Properties config = new Properties();
    settings.forEach((key, value) -> {
      if (Keys.isSecret(key) && !value.startsWith("${")) {
        secrets.put(Settings.ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value);
      } else if (!key.equals("report.job-id")) {
        config.setProperty(key, value);
      }
    });
    try (Writer w = Files.newBufferedWriter(artifacts.resolve("emr.properties"))) {
      config.store(w, name);
    }
    List<String> step = new ArrayList<>(List.of("python3", "deploy/silo_reports_steps.py", "step", command,
        "--artifacts", artifacts.toString()));
    step.addAll(jobFlags);
    step.add("--");
    step.addAll(clusterOptions(secrets));
    Process python = new ProcessBuilder(step).directory(MavenClasspath.projectDir().toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String json = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (python.waitFor() != 0) {
      throw new AssertionError("deploy/silo_reports_steps.py refused the step of " + command + " " + jobFlags);
    }
    List<String> args = new ArrayList<>();
    new ObjectMapper().readTree(json).get(0).get("Args").forEach(a -> args.add(a.asText()));
    if (!args.get(0).equals("spark-submit")) {
      throw new AssertionError("the step does not run spark-submit: " + json);
    }
    Submission started = start(name, args.subList(1, args.size()), List.copyOf(secrets.values()));
    started.awaitApplicationId();
    return started;
  }

  /** Starts {@code spark-submit <arguments>} (without the word spark-submit), its output in {@code <name>.log}. */
  private Submission start(String name, List<String> arguments, List<String> secrets) throws IOException {
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
    return new Submission(builder.start(), log, secrets);
  }

  /**
   * A running spark-submit: the client that submitted the application and follows it until it ends, and the secret
   * values it handed to the driver's environment.
   */
  public static final class Submission {
    private final Process process;
    private final Path log;
    private final List<String> secrets;
    private String applicationId;

    private Submission(Process process, Path log, List<String> secrets) {
      this.process = process;
      this.log = log;
      this.secrets = secrets;
    }

    public Process process() {
      return process;
    }

    /** spark-submit's output. */
    public Path log() {
      return log;
    }

    public List<String> secrets() {
      return secrets;
    }

    /** The YARN application id. */
    public String applicationId() {
      return applicationId;
    }

    private void awaitApplicationId() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (applicationId == null) {
        Matcher m = SUBMITTED.matcher(output());
        if (m.find()) {
          applicationId = m.group(1);
        } else if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("spark-submit submitted no application; " + log + " ends with:\n" + tail());
        } else {
          Thread.sleep(100);
        }
      }
    }

    /** Waits for spark-submit to end and returns its exit code: what an EMR step's state is made of. */
    public int exitCode(Duration timeout) throws Exception {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("spark-submit still ran after " + timeout + "; " + log + " ends with:\n" + tail());
      }
      return process.exitValue();
    }

    public String output() throws IOException {
      return Files.readString(log);
    }

    /** The last 30 lines of spark-submit's output. */
    public String tail() {
      return EmbeddedKafka.tail(log, 30);
    }
  }
}
