package io.siloreports.db;

import java.time.Duration;

/**
 * The waits between attempts while a store is unreachable (or its disk full): 1, 2, 4, 8, then every 10 s, never past
 * a limit counted from when the backoff was made. One policy for the stream's batches and the report's FAILED mark.
 */
public final class OutageBackoff {
  private static final long FIRST_PAUSE_MILLIS = 1_000;
  private static final long LONGEST_PAUSE_MILLIS = 10_000;

  private final Duration limit;
  private final long started = System.nanoTime();
  private long pauseMillis = FIRST_PAUSE_MILLIS;

  public OutageBackoff(Duration limit) {
    this.limit = limit;
  }

  /** Time since the backoff was made. */
  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** The next pause in milliseconds, cut to what is left of the limit; 0 when the limit is reached. */
  public long nextPauseMillis() {
    long leftMillis = limit.minus(elapsed()).toMillis();
    return leftMillis <= 0 ? 0 : Math.min(pauseMillis, leftMillis);
  }

  /** Sleeps {@code millis} (from {@link #nextPauseMillis}) and doubles the next pause, up to 10 s. */
  public void pause(long millis) throws InterruptedException {
    Thread.sleep(millis);
    pauseMillis = Math.min(pauseMillis * 2, LONGEST_PAUSE_MILLIS);
  }
}
