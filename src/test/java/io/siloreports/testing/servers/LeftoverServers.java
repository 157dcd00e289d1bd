package io.siloreports.testing.servers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleans up after a JVM that was killed (kill -9, an OOM-killed surefire fork) before its shutdown hooks ran.
 *
 * <p>A work directory whose {@code owner.pid} names a JVM that no longer runs is stale: the child processes
 * whose command line mentions that directory (mariadbd, the Kafka broker JVM) are stopped and the directory is
 * deleted. Directories of live JVMs are never touched, so concurrent test runs and a running dev stack are safe.
 * The Kafka broker also stops by itself when its parent dies (see {@link KafkaBrokerLauncher}); mariadbd does
 * not, which is what this is mostly for.
 */
final class LeftoverServers {
  private static final Logger log = LoggerFactory.getLogger(LeftoverServers.class);
  private static boolean reaped;

  private LeftoverServers() {}

  static synchronized void reapOnce() {
    if (reaped) {
      return;
    }
    reaped = true;
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, EmbeddedServer.WORK_DIR_PREFIX + "*")) {
      for (Path dir : dirs) {
        Optional<Long> owner = ownerPid(dir);
        if (owner.isPresent() && !isAlive(owner.get())) {
          reap(dir, owner.get());
        }
      }
    } catch (IOException e) {
      log.warn("could not look for leftover servers in {}: {}", tmp, e.toString());
    }
  }

  private static void reap(Path dir, long deadOwner) {
    for (ProcessHandle p : processesUsing(dir)) {
      log.warn(
          "stopping leftover process {} of a JVM (pid {}) that was killed before it could stop it: {}",
          p.pid(),
          deadOwner,
          p.info().command().orElse("?"));
      stop(p);
    }
    try {
      EmbeddedServer.deleteRecursively(dir);
      log.info("deleted leftover server directory {}", dir);
    } catch (IOException e) {
      log.warn("could not delete leftover server directory {}: {}", dir, e.toString());
    }
  }

  /** Stops the processes whose command line mentions {@code dir} (a server's work directory). */
  static void stopProcessesUsing(Path dir) {
    processesUsing(dir).forEach(LeftoverServers::stop);
  }

  private static List<ProcessHandle> processesUsing(Path dir) {
    String marker = dir.toAbsolutePath().toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .collect(Collectors.toList());
  }

  private static void stop(ProcessHandle p) {
    p.destroy();
    try {
      p.onExit().get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception stillRunning) {
      p.destroyForcibly();
    }
  }

  private static Optional<Long> ownerPid(Path dir) {
    Path file = dir.resolve(EmbeddedServer.OWNER_FILE);
    try {
      return Files.isRegularFile(file) ? Optional.of(Long.parseLong(Files.readString(file).trim())) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
