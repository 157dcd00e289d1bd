package io.siloreports.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutageBackoffTest {
  @Test
  void pausesDoubleFromOneSecondUpToTenSeconds() throws InterruptedException {
    OutageBackoff backoff = new OutageBackoff(Duration.ofMinutes(10));
    List<Long> pauses = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      pauses.add(backoff.nextPauseMillis());
      backoff.pause(0); // the schedule, without the waiting
    }
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 10_000L, 10_000L, 10_000L), pauses);
  }

  @Test
  void aPauseNeverRunsPastTheLimitAndAReachedLimitGivesNone() throws InterruptedException {
    assertEquals(0, new OutageBackoff(Duration.ZERO).nextPauseMillis(), "zero: fail at once");
    OutageBackoff backoff = new OutageBackoff(Duration.ofMillis(1_500));
    assertEquals(1_000, backoff.nextPauseMillis());
    backoff.pause(0);
    long cut = backoff.nextPauseMillis();
    assertTrue(cut > 0 && cut <= 1_500, "the second pause is cut to what is left: " + cut);
    backoff.pause(cut);
    assertEquals(0, backoff.nextPauseMillis());
  }
}
