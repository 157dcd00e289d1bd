package io.siloreports.testing;

import io.siloreports.testing.servers.MavenClasspath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where every child process a test starts writes its output (report runs, spark-submit and spark-shell, the stream
 * in its own JVM, the Kafka broker, the database's bootstrap): {@code target/test-logs}, which {@code mvn verify}'s
 * secret scan reads beside surefire's and failsafe's reports, so no child's log escapes it.
 */
public final class TestLogs {
  private TestLogs() {}

  /** {@code target/test-logs/<name>}, created. */
  public static Path dir(String name) {
    Path dir = MavenClasspath.projectDir().resolve("target/test-logs").resolve(name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** The log file {@code <folder>/<file>} under {@code target/test-logs}. */
  public static Path file(String folder, String file) {
    return dir(folder).resolve(file);
  }

  /** Copies the {@code *.log} files under {@code from} into {@code target/test-logs/<name>} (work dirs that go away). */
  public static void keep(Path from, String name) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    Path to = dir(name);
    try (var files = Files.walk(from)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log") && Files.isRegularFile(p)).toList()) {
        Files.copy(f, to.resolve(from.relativize(f).toString().replace('/', '_')),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
