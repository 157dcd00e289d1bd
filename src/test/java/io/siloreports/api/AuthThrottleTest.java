package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Failed authentications per address: refused after N in a window, a few log lines, bounded memory. */
class AuthThrottleTest {
  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final AuthThrottle throttle = new AuthThrottle(3, Duration.ofMinutes(1), 100, clock);

  @Test
  void anAddressIsRefusedAfterNFailuresUntilItsWindowEnds() {
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), throttle.refusedFor("203.0.113.5"), "failure " + i);
      throttle.failed("203.0.113.5", "GET /api/reports");
    }
    clock.advance(Duration.ofSeconds(20));
    assertEquals(Optional.of(40L), throttle.refusedFor("203.0.113.5"), "40 s left");
    clock.advance(Duration.ofMillis(1));
    assertEquals(Optional.of(40L), throttle.refusedFor("203.0.113.5"), "39.999 s left, rounded up");
    assertEquals(Optional.empty(), throttle.refusedFor("203.0.113.6"), "another address is not affected");
    clock.advance(Duration.ofSeconds(40));
    assertEquals(Optional.empty(), throttle.refusedFor("203.0.113.5"), "the window has passed");
  }

  @Test
  void aFloodWritesTheFirstFailureTheRefusalAndOneSummaryPerWindow() {
    List<String> lines = new ArrayList<>();
    for (int window = 0; window < 2; window++) {
      for (int i = 0; i < 1_000; i++) {
        if (throttle.refusedFor("198.51.100.1").isEmpty()) {
          throttle.failed("198.51.100.1", "POST /api/reports").ifPresent(lines::add);
        }
      }
      clock.advance(Duration.ofMinutes(1));
    }
    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).equals("failed authentication from 198.51.100.1 on POST /api/reports"), lines.get(0));
    assertTrue(lines.get(1).contains("3 failures within 60 s; refusing it (429)"), lines.get(1));
    assertTrue(lines.get(2).endsWith("(the window before: 3 failures, 997 refused)"), lines.get(2));
  }

  @Test
  void manyAddressesCannotGrowItsMemoryPastTheCap() {
    for (int i = 0; i < 10_000; i++) {
      throttle.failed("10.0." + (i / 256) + "." + (i % 256), "GET /api/reports");
      assertTrue(throttle.addresses() <= 100);
    }
    for (int i = 0; i < 3; i++) {
      throttle.failed("203.0.113.9", "GET /api/reports");
    }
    assertTrue(throttle.refusedFor("203.0.113.9").isPresent(), "the newest address is remembered");
  }
}
