package io.siloreports.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Failed authentications per client address in a fixed window: after {@code maxFailures} in one window the address
 * is refused (429) without its token being checked until the window ends. Memory is bounded: at most
 * {@code maxAddresses} windows are kept; when full, ended windows go first, then the oldest ones, so an attacker with
 * many addresses loses his own history first rather than growing the heap. Also decides which failures are logged: the
 * first of a window, the one that starts the refusal, and a summary of the rest when the address is next seen after
 * its window ended, so a flood writes a few lines, not one per request.
 */
final class AuthThrottle {
  /** Addresses remembered at most: ~100 bytes each, about 1 MB. */
  static final int MAX_ADDRESSES = 10_000;
  private static final class Window {
    final Instant start;
    int failures;
    int refused;

    Window(Instant start) {
      this.start = start;
    }
  }

  private final int maxFailures;
  private final Duration window;
  private final int maxAddresses;
  private final Clock clock;
  private final Map<String, Window> byAddress = new LinkedHashMap<>();

  AuthThrottle(int maxFailures, Duration window, int maxAddresses, Clock clock) {
    if (maxFailures < 1 || window.isNegative() || window.isZero() || maxAddresses < 1) {
      throw new IllegalArgumentException("api.auth.max-failures and api.auth.failure-window must be positive");
    }
    this.maxFailures = maxFailures;
    this.window = window;
    this.maxAddresses = maxAddresses;
    this.clock = clock;
  }

  /** Seconds until {@code address} may try again, when it is refused now; counts the refusal. */
  synchronized Optional<Long> refusedFor(String address) {
    Window w = current(address, clock.instant(), false);
    if (w == null || w.failures < maxFailures) {
      return Optional.empty();
    }
    w.refused++;
    long leftMillis = Duration.between(clock.instant(), w.start.plus(window)).toMillis();
    return Optional.of(Math.max(1, (leftMillis + 999) / 1000)); // rounded up: asking again then is not too early
  }

  /** Counts a failed authentication of {@code address}; the line to log about it, if any. */
  synchronized Optional<String> failed(String address, String route) {
    Instant now = clock.instant();
    Window previous = byAddress.get(address);
    String summary = previous != null && ended(previous, now) && (previous.failures > 2 || previous.refused > 0)
        ? " (the window before: " + previous.failures + " failures, " + previous.refused + " refused)" : "";
    Window w = current(address, now, true);
    w.failures++;
    if (w.failures == 1) {
      return Optional.of("failed authentication from " + address + " on " + route + summary);
    }
    if (w.failures == maxFailures) {
      return Optional.of("failed authentication from " + address + " on " + route + ": " + maxFailures
          + " failures within " + window.toSeconds() + " s; refusing it (429) until " + w.start.plus(window));
    }
    return Optional.empty();
  }

  synchronized int addresses() {
    return byAddress.size();
  }

  private boolean ended(Window w, Instant now) {
    return !now.isBefore(w.start.plus(window));
  }

  /** The address's window now: a new one when it has none or its last ended (only when {@code create}). */
  private Window current(String address, Instant now, boolean create) {
    Window w = byAddress.get(address);
    if (w != null && !ended(w, now)) {
      return w;
    }
    if (!create) {
      return null; // an ended window stays until the next failure, which reports it
    }
    if (w != null) {
      byAddress.remove(address);
    }
    if (byAddress.size() >= maxAddresses) {
      evict(now);
    }
    Window fresh = new Window(now);
    byAddress.put(address, fresh);
    return fresh;
  }

  /** Drops every ended window; if none had ended, the oldest one (insertion order is start order). */
  private void evict(Instant now) {
    int before = byAddress.size();
    byAddress.values().removeIf(w -> ended(w, now));
    if (byAddress.size() == before) {
      Iterator<String> oldest = byAddress.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }
}
