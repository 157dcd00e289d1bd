package io.siloreports.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A classpath kept apart from the project's, for a child JVM: the Kafka broker's (Kafka 3.9 server jars with Scala
 * 2.13 and kafka-clients 3.9 would clash with Spark's Scala 2.12 and the kafka-clients 3.4.1 of spark-sql-kafka), or
 * an EMR release's Spark and AWS SDK in front of the shaded jar.
 *
 * <p>It is whatever Maven resolves for {@code src/test/servers/<name>/pom.xml}, computed once with
 * {@code mvn dependency:build-classpath} and cached in {@code target/<name>/classpath.txt} (redone when the pom
 * changes or a jar is gone). Maven is found through the {@code maven.home} system property (set by the surefire and
 * failsafe configurations), {@code MAVEN_HOME}, or {@code mvn} on the PATH; the local repository and offline mode of
 * the outer build are passed on.
 */
public final class MavenClasspath {
  /** The pom the project root is recognised by. */
  static final String POM = "src/test/servers/kafka-broker/pom.xml";
  private static final Logger log = LoggerFactory.getLogger(MavenClasspath.class);
  private static final long RESOLVE_TIMEOUT_MINUTES = 10;

  private MavenClasspath() {}

  /** The Kafka broker's jars. */
  static List<Path> kafkaBroker() {
    return of("kafka-broker");
  }

  /**
   * The jars (absolute paths) of {@code src/test/servers/<name>/pom.xml}, resolving them with Maven if the cache is
   * missing or stale.
   */
  public static synchronized List<Path> of(String name) {
    Path projectDir = projectDir();
    Path pom = projectDir.resolve("src/test/servers/" + name + "/pom.xml");
    Path cacheDir = projectDir.resolve("target/" + name);
    Path cache = cacheDir.resolve("classpath.txt");
    try {
      Files.createDirectories(cacheDir);
      try (FileChannel lockFile =
              FileChannel.open(cacheDir.resolve("resolve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        List<Path> cached = readIfFresh(cache, pom);
        if (cached != null) {
          return cached;
        }
        resolveWithMaven(pom, cacheDir, cache);
        List<Path> resolved = readIfFresh(cache, pom);
        if (resolved == null) {
          throw new IllegalStateException("Maven wrote no usable classpath to " + cache);
        }
        return resolved;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the classpath of " + pom, e);
    }
  }

  private static List<Path> readIfFresh(Path cache, Path pom) throws IOException {
    if (!Files.isRegularFile(cache)
        || Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(pom)) < 0) {
      return null;
    }
    List<Path> jars = new ArrayList<>();
    for (String entry : Files.readString(cache).trim().split(java.io.File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path jar = Path.of(entry);
      if (!Files.isRegularFile(jar)) {
        return null; // the local repository was cleaned: resolve again
      }
      jars.add(jar);
    }
    return jars.isEmpty() ? null : jars;
  }

  private static void resolveWithMaven(Path pom, Path cacheDir, Path cache) throws IOException {
    Path tmp = cacheDir.resolve("classpath.txt.tmp");
    Path mavenLog = cacheDir.resolve("resolve.log");
    List<String> command = new ArrayList<>(List.of(maven(), "-B", "-q", "-ntp", "-f", pom.toString()));
    String repo = System.getProperty("maven.repo.local");
    if (repo != null && !repo.isBlank()) {
      command.add("-Dmaven.repo.local=" + repo);
    }
    if (Boolean.getBoolean("siloreports.maven.offline")) {
      command.add("-o");
    }
    command.addAll(List.of("dependency:build-classpath", "-Dmdep.outputFile=" + tmp));
    log.info("resolving the classpath of {} once (cached in {}): {}", pom, cache, String.join(" ", command));
    Process mvn = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(mavenLog.toFile()).start();
    mvn.getOutputStream().close();
    boolean finished;
    try {
      finished = mvn.waitFor(RESOLVE_TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      mvn.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while resolving the classpath of " + pom, e);
    }
    if (!finished) {
      mvn.destroyForcibly();
    }
    if (!finished || mvn.exitValue() != 0 || !Files.isRegularFile(tmp)) {
      throw new IllegalStateException(
          "could not resolve the classpath of " + pom + " ("
              + (finished ? "mvn exited with " + mvn.exitValue() : "mvn took over " + RESOLVE_TIMEOUT_MINUTES + " min")
              + "); command: "
              + String.join(" ", command)
              + "\n--- "
              + mavenLog
              + " (tail) ---\n"
              + EmbeddedKafka.tail(mavenLog, 40));
    }
    Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String maven() {
    String home = System.getProperty("maven.home");
    if (home == null || home.isBlank()) {
      home = System.getenv("MAVEN_HOME");
    }
    if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
      return Path.of(home, "bin", "mvn").toString();
    }
    return "mvn";
  }

  /**
   * The project root: two levels above target/test-classes, where this class was loaded from (not the working
   * directory, which a launcher may set elsewhere), else the working directory.
   */
  public static Path projectDir() {
    try {
      Path classes = Path.of(MavenClasspath.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = classes; p != null; p = p.getParent()) {
        if (Files.isRegularFile(p.resolve(POM))) {
          return p;
        }
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall through to the working directory.
    }
    Path cwd = Path.of(System.getProperty("user.dir"));
    if (Files.isRegularFile(cwd.resolve(POM))) {
      return cwd;
    }
    throw new IllegalStateException(
        "cannot find " + POM + " above the test classes or in " + cwd + ": run from the project directory");
  }

  /** Where {@link KafkaBrokerLauncher} was loaded from (target/test-classes), for the child's classpath. */
  static Path launcherLocation() {
    try {
      return Path.of(KafkaBrokerLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the KafkaBrokerLauncher class", e);
    }
  }
}
