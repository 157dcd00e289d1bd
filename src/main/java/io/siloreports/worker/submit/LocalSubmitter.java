package io.siloreports.worker.submit;

import io.siloreports.jobstore.ReportJob;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs each report in a child JVM: {@code <spark home>/bin/spark-submit --master <m> --name <n> --class
 * io.siloreports.cli.Main <app> report <settings> --job-id <id>}, the command Spark's launcher builds, its output in
 * {@code <logDir>/<job id>.log}. The child gets this process's settings: the config file and the non-secret overrides
 * as arguments, secrets in its environment (never on a command line). Its environment is exactly
 * {@link Settings#env} (what the composition root chose: the system's variables a JVM needs and the report's own
 * settings and secrets) and never this service's whole environment, which holds its bearer tokens and webhook
 * secret. Spark's {@code SparkLauncher} cannot give that: its {@code createBuilder} starts from a
 * {@code ProcessBuilder}, whose environment is a copy of the parent's, and only adds to it (apache/spark,
 * launcher/src/main/java/org/apache/spark/launcher/SparkLauncher.java), so the process is started here.
 *
 * <p>The bundled Spark home ({@code jobs/spark-home}) runs Spark from this build's classpath, handed to it in
 * {@link #CLASSPATH_ENV}; with an installed Spark, point {@code submit.local.spark-home} at it and
 * {@code submit.local.app-resource} at the shaded jar.
 */
public final class LocalSubmitter implements Submitter {
  /** The classpath the bundled Spark home's {@code spark-submit} runs with. */
  public static final String CLASSPATH_ENV = "BUNDLED_SPARK_CLASSPATH";
  private static final Pattern REF = Pattern.compile("local pid (\\d+)@(\\S+?)[,;]");

  /** Where and how to start a report. */
  public record Settings(String sparkHome, String appResource, String master, String javaOptions, Path logDir,
      List<String> args, Map<String, String> env) {}

  private final Settings settings;
  private final String host;

  public LocalSubmitter(Settings settings) {
    this.settings = settings;
    this.host = hostName();
  }

  @Override
  public Run submit(ReportJob job) throws IOException {
    Files.createDirectories(settings.logDir());
    File log = settings.logDir().resolve(job.jobId() + ".log").toFile();
    Map<String, String> env = new HashMap<>(settings.env());
    env.put(CLASSPATH_ENV, System.getProperty("java.class.path"));
    env.put("SPARK_SUBMIT_OPTS", settings.javaOptions());
    List<String> appArgs = new ArrayList<>(List.of("report"));
    appArgs.addAll(settings.args());
    appArgs.addAll(List.of("--job-id", job.jobId()));
    List<String> command = new ArrayList<>(List.of(Path.of(settings.sparkHome(), "bin", "spark-submit").toString(),
        "--master", settings.master(), "--name", "silo-reports-report-" + job.jobId(),
        "--class", "io.siloreports.cli.Main", settings.appResource()));
    command.addAll(appArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log)); // after a warm runner's lines, if it handed the job over
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    process.onExit().thenAccept(p -> exit.complete(p.exitValue()));
    return new Run("local pid " + process.pid() + "@" + host + ", log " + log.getPath(), exit);
  }

  @Override
  public Optional<Boolean> isAlive(String ref) {
    // not ours, or another machine's: cannot tell
    return pidOnThisHost(ref).map(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  /** Stops the spark-submit process of a run on this machine and the driver JVM it started. */
  @Override
  public boolean cancel(String ref) {
    Optional<ProcessHandle> run = pidOnThisHost(ref).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    run.ifPresent(p -> {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    });
    return run.isPresent();
  }

  /** The process id a local run's reference names, when the run is this machine's. */
  private Optional<Long> pidOnThisHost(String ref) {
    Matcher m = ref == null ? null : REF.matcher(ref + ";");
    return m == null || !m.find() || !m.group(2).equals(host) ? Optional.empty()
        : Optional.of(Long.parseLong(m.group(1)));
  }

  @Override
  public String describe() {
    return "local (spark-submit of " + settings.sparkHome() + ", master " + settings.master() + ", logs in "
        + settings.logDir() + ")";
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
