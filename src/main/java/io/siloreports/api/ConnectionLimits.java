package io.siloreports.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a connection may take and how many may be open, for the JDK's server. Read from JDK 17's
 * {@code sun.net.httpserver.ServerImpl} and {@code ServerConfig} (17.0.15): a connection takes an executor thread as
 * soon as its first byte arrives and keeps it, blocked, while it reads the rest of the request; only a timer closes a
 * connection that stalls ({@code sun.net.httpserver.maxReqTime}: request line, headers and body;
 * {@code maxRspTime}: from the end of the request to the last byte of the answer; {@code idleInterval}: between
 * keep-alive requests; {@code jdk.httpserver.maxConnections}: accepted connections past it are closed at once). Two
 * consequences shape this class. The limits are system properties that {@code ServerConfig} reads once per JVM, in
 * its static initialiser, when the first server is created: they are set here before that, and a later server of
 * the same JVM asking for other limits gets a warning, not its limits. And a fixed pool of N threads is frozen by N
 * clients that send half a request: the pool here grows to one thread per open connection (blocked platform threads
 * cost little), capped by {@link #maxConnections}; the JDK's dispatcher closes a connection whose task the pool
 * refuses.
 *
 * @param requestTimeout time to read a request (line, headers, body), counted from its first byte; whole seconds
 * @param responseTimeout time from the end of a request to the end of its answer; whole seconds
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param maxConnections open connections; more are closed as soon as they are accepted
 */
public record ConnectionLimits(Duration requestTimeout, Duration responseTimeout, Duration idleTimeout,
    int maxConnections) {
  static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";
  static final String MAX_RSP_TIME = "sun.net.httpserver.maxRspTime";
  static final String IDLE_INTERVAL = "sun.net.httpserver.idleInterval";
  static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";
  /** How often the idle connections are looked at (10 s by default: a silent connection would live 10 s longer). */
  static final String IDLE_CHECK_MILLIS = "sun.net.httpserver.clockTick";
  /** How often the request and response times are looked at; the JDK's 1 s default is kept, named for clarity. */
  static final String TIMEOUT_CHECK_MILLIS = "sun.net.httpserver.timerMillis";
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
  /** The limits of this JVM's JDK servers. */
  static final PerJvm THIS_JVM = new PerJvm(System::setProperty);

  public ConnectionLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(responseTimeout, "responseTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    for (Duration d : new Duration[] {requestTimeout, responseTimeout, idleTimeout}) {
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("connection time limits are whole seconds, at least 1s; got " + d);
      }
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("api.max-connections must be at least 1, got " + maxConnections);
    }
  }

  /** The JDK's system properties for these limits; seconds rounded up. */
  Map<String, String> systemProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(MAX_REQ_TIME, Long.toString(seconds(requestTimeout)));
    p.put(MAX_RSP_TIME, Long.toString(seconds(responseTimeout)));
    p.put(IDLE_INTERVAL, Long.toString(seconds(idleTimeout)));
    p.put(MAX_CONNECTIONS, Integer.toString(maxConnections));
    p.put(IDLE_CHECK_MILLIS, "1000");
    p.put(TIMEOUT_CHECK_MILLIS, "1000");
    return p;
  }

  private static long seconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }

  /** Sets the JDK's properties before this JVM's first server reads them. */
  static void applyToThisJvm(ConnectionLimits limits) {
    THIS_JVM.apply(limits);
  }

  /**
   * The first limits asked for set the properties; the JDK reads them once, so later, different ones only get a
   * warning (once).
   */
  static final class PerJvm {
    private final BiConsumer<String, String> setProperty;
    private ConnectionLimits applied;
    private boolean warned;

    PerJvm(BiConsumer<String, String> setProperty) {
      this.setProperty = setProperty;
    }

    synchronized void apply(ConnectionLimits limits) {
      if (applied == null) {
        limits.systemProperties().forEach(setProperty);
        applied = limits;
      } else if (!applied.equals(limits) && !warned) {
        warned = true;
        LOG.warn("connection limits are per JVM and were set by its first report service ({}); the limits {} of a"
            + " later one do not apply: run one service per JVM to change them", applied, limits);
      }
    }
  }

  /**
   * Handler threads: {@code coreThreads} kept, more started as connections need them, up to one per open connection;
   * past that the pool refuses and the JDK's dispatcher closes the connection.
   */
  ThreadPoolExecutor newHandlerPool(int coreThreads) {
    int core = Math.max(1, Math.min(coreThreads, maxConnections));
    ThreadPoolExecutor pool = new ThreadPoolExecutor(core, maxConnections, 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "api-http");
          t.setDaemon(true);
          return t;
        }, (task, p) -> {
          throw new RejectedExecutionException("all " + p.getMaximumPoolSize() + " handler threads are busy");
        });
    return pool;
  }
}
