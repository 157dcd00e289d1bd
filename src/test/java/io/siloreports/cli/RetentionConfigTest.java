package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.siloreports.config.Settings;
import io.siloreports.store.RetentionPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code retention.*} settings as the stores get them: the stated defaults, a blank age keeps a size. */
class RetentionConfigTest {
  @Test
  void defaultsAndBlankAges() {
    RetentionPolicy defaults = StoreConfig.retention(Settings.of(Map.of()));
    assertEquals(Map.of(1, Duration.ofDays(7), 5, Duration.ofDays(30), 15, Duration.ofDays(90), 60,
        Duration.ofDays(366)), defaults.bucketAges());
    assertEquals(Duration.ofDays(90), defaults.quarantineAge());
    assertEquals(3, defaults.partitionDaysAhead());
    assertEquals(Duration.ofDays(7), defaults.maxRevisionAge(), "the stream's, so the cut-offs use its horizon");
    RetentionPolicy kept = StoreConfig.retention(Settings.of(Map.of("retention.buckets.1m-age", "",
        "retention.buckets.60m-age", " ", "retention.quarantine-age", "", "retention.buckets.5m-age", "2d")));
    assertEquals(Map.of(5, Duration.ofDays(2), 15, Duration.ofDays(90)), kept.bucketAges());
    assertNull(kept.quarantineAge());
  }

  @Test
  void theStreamAppliesItEveryHourUnlessOff() {
    assertEquals(Duration.ofHours(1), StreamConfig.from(Settings.of(Map.of())).retentionEvery());
    assertEquals(Duration.ofMinutes(10),
        StreamConfig.from(Settings.of(Map.of("retention.every", "10m"))).retentionEvery());
    assertNull(StreamConfig.from(Settings.of(Map.of("retention.every", "off"))).retentionEvery());
    assertNull(StreamConfig.from(Settings.of(Map.of("retention.every", ""))).retentionEvery(), "blank: off");
  }
}
