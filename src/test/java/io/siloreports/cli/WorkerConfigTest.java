package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.testing.Profiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log format a report run gets: {@code log.format} (from {@code SILO_REPORTS_LOG_FORMAT}, the variable the launch
 * scripts read) is a setting of its own, and the local submitter hands it to every run in its environment, where the
 * bundled Spark home's {@code spark-submit} picks the log4j configuration from it.
 */
class WorkerConfigTest {
  @TempDir Path dir;

  @Test
  void theLogFormatIsASettingAndEveryLocalRunGetsIt() throws Exception {
    Settings fromEnv = Settings.load(List.of(), Map.of(), Map.of("SILO_REPORTS_LOG_FORMAT", "json"));
    assertEquals(List.of(), fromEnv.unknownKeys(), "no 'not a setting' warning for the launch scripts' variable");
    assertEquals("json", fromEnv.get(Keys.LOG_FORMAT));

    Map<String, String> m = Profiles.embedded(dir);
    m.put("log.format", "json");
    assertEquals("json", WorkerConfig.from(Settings.of(m)).local().env().get("SILO_REPORTS_LOG_FORMAT"));
    m.remove("log.format");
    assertEquals("text", WorkerConfig.from(Settings.of(m)).local().env().get("SILO_REPORTS_LOG_FORMAT"));

    m.put("log.format", "xml");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> WorkerConfig.from(Settings.of(m)));
    assertTrue(bad.getMessage().contains("log.format"), bad.getMessage());
  }
}
