package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/** The JDK server's properties the limits become, and the handler pool; ConnectionLimitsIT shows them at work. */
class ConnectionLimitsTest {
  @Test
  void limitsBecomeTheJdkServersPropertiesInWholeSecondsRoundedUp() {
    ConnectionLimits l = new ConnectionLimits(Duration.ofMillis(1500), Duration.ofMinutes(5), Duration.ofSeconds(75),
        1000);
    assertEquals(Map.of("sun.net.httpserver.maxReqTime", "2", "sun.net.httpserver.maxRspTime", "300",
        "sun.net.httpserver.idleInterval", "75", "jdk.httpserver.maxConnections", "1000",
        "sun.net.httpserver.clockTick", "1000", "sun.net.httpserver.timerMillis", "1000"), l.systemProperties());
  }

  @Test
  void theFirstLimitsOfAJvmApplyAndLaterOtherOnesAreWarnedAboutOnce() {
    Map<String, String> set = new java.util.HashMap<>();
    ConnectionLimits.PerJvm jvm = new ConnectionLimits.PerJvm(set::put);
    ConnectionLimits first = new ConnectionLimits(Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(75),
        1000);
    ConnectionLimits other = new ConnectionLimits(Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofSeconds(75),
        10);
    try (LogCapture log = LogCapture.of(ConnectionLimits.class)) {
      jvm.apply(first);
      assertEquals(first.systemProperties(), set);
      jvm.apply(first);
      assertEquals(List.of(), log.lines(), "the same limits again: nothing to say");
      jvm.apply(other);
      jvm.apply(other);
      assertEquals(first.systemProperties(), set, "the JDK read them once: they stay");
      assertEquals(1, log.linesWith("WARN", "connection limits are per JVM", "do not apply").size(), log.lines()
          .toString());
    }
  }

  @Test
  void limitsUnderASecondOrWithoutConnectionsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new ConnectionLimits(Duration.ofMillis(500), Duration.ofMinutes(5), Duration.ofSeconds(75), 10));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ConnectionLimits(Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(75), 0));
    assertTrue(e.getMessage().startsWith("api.max-connections"), e.getMessage());
  }

  @Test
  void thePoolGrowsToOneThreadPerConnectionAndRefusesPastTheCap() throws Exception {
    ConnectionLimits l = new ConnectionLimits(Duration.ofSeconds(20), Duration.ofMinutes(5), Duration.ofSeconds(75), 3);
    ThreadPoolExecutor pool = l.newHandlerPool(1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      assertEquals(1, pool.getCorePoolSize());
      for (int i = 0; i < 3; i++) {
        pool.execute(() -> {
          try {
            release.await();
          } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertEquals(3, pool.getPoolSize(), "a blocked task does not make the next one wait");
      assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }),
          "past the cap: the JDK's dispatcher closes the connection");
    } finally {
      release.countDown();
      pool.shutdown();
    }
  }
}
