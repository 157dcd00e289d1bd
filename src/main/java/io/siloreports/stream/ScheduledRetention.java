package io.siloreports.stream;

import io.siloreports.store.MySqlRetention;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL stream's own retention ({@code retention.every}): {@link MySqlRetention} run in a thread of the driver's
 * own, at start and then {@code every} after each run ends, so never two at once in this stream; the database's lock
 * keeps it from running with another stream's or the {@code retention} command's (this one skips then, the other
 * applies the same ages). A failed run (a lock wait timeout, the database away, a user without ALTER) is one WARN
 * line and is tried again at the next time: retention never stops the stream.
 */
public final class ScheduledRetention {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduledRetention.class);
  static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private final MySqlRetention retention;
  private final Duration every;
  private final Clock clock;
  private final String where;
  private ScheduledExecutorService thread;

  /** {@code where}: the database, as a person reads it in the log (no password). */
  public ScheduledRetention(MySqlRetention retention, Duration every, Clock clock, String where) {
    this.retention = Objects.requireNonNull(retention, "retention");
    this.every = Objects.requireNonNull(every, "every");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.where = where;
  }

  /** Starts the first run now, the next ones {@code every} after the previous ended. */
  synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "silo-reports-retention");
      t.setDaemon(true); // a run in progress never keeps the JVM alive
      return t;
    });
    thread.scheduleWithFixedDelay(this::runOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the runs; one in progress gets up to {@link #STOP_WAIT} to end, so that an available-now stream, which may
   * finish first, applies the ages too. One still running then is left to end on its own (a daemon thread); the next
   * run takes up whatever it did not do.
   */
  synchronized void stop() {
    if (thread == null) {
      return;
    }
    thread.shutdown();
    try {
      if (!thread.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("retention of {} still running {} s after the stream stopped; not waited for (the next run, or the"
            + " retention command, takes up what it leaves)", where, STOP_WAIT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
  }

  /** One run, logged in one line whatever happens; never throws (an escaping exception would end the schedule). */
  void runOnce() {
    Instant now = clock.instant();
    try {
      Optional<MySqlRetention.Result> r = retention.apply(now, Duration.ZERO);
      if (r.isPresent()) {
        LOG.info("retention of {}: {}; next run at {} (retention.every {})", where, r.get().describe(),
            clock.instant().plus(every), every);
      } else {
        LOG.info("retention of {}: skipped, another run (another stream's, or the retention command) holds the"
            + " database's retention lock; next run at {} (retention.every {})", where, clock.instant().plus(every),
            every);
      }
    } catch (RuntimeException e) {
      LOG.warn("retention of {} failed (run at {}): {}; trying again at {} (retention.every {}), the stream goes on",
          where, now, oneLine(e), clock.instant().plus(every), every);
    }
  }

  private static String oneLine(Throwable e) {
    return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").trim();
  }
}
