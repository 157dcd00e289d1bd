package io.siloreports.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path tmp;

  @Test
  void laterLayersWinDefaultsFileEnvFlags() throws Exception {
    Path file = tmp.resolve("c.properties");
    Files.writeString(file, "warehouse.dir=/from/file\ninput.dir=/in/file\nreport.output-dir=/out/file\n"
        + "jobstore.password=hunter2\ndb.url=jdbc:mysql://h/db?user=u&password=s3cret\n");
    Settings s =
        Settings.load(
            List.of("--config", file.toString(), "--job-id", "j1", "--conf", "input.dir=/in/flag"),
            Map.of("job-id", Keys.REPORT_JOB_ID),
            Map.of("SILO_REPORTS_WAREHOUSE_DIR", "/from/env", "SILO_REPORTS_REPORT_OUTPUT_DIR", "/out/env",
                "SILO_REPORTS_SPARK_EXECUTOR_MEMORY", "3g", "OTHER", "x"));
    assertEquals("/from/env", s.get(Keys.WAREHOUSE_DIR));
    assertEquals("/in/flag", s.get(Keys.INPUT_DIR));
    assertEquals("/out/env", s.get(Keys.REPORT_OUTPUT_DIR), "env names reach keys with dashes");
    assertEquals("3g", s.get("spark.executor.memory"), "a pass-through key from the environment");
    assertEquals("j1", s.get(Keys.REPORT_JOB_ID));
    assertEquals(Duration.ofMinutes(30), s.get(Keys.STREAM_ALLOWED_LATENESS), "declared default");
    String described = s.describe();
    assertFalse(described.contains("hunter2"), "secrets are masked");
    assertFalse(described.contains("s3cret"), "a password inside a URL is masked");
    assertTrue(described.contains("jobstore.password = ****  (" + file + ")"), described);
    assertTrue(described.contains("warehouse.dir = /from/env  (env SILO_REPORTS_WAREHOUSE_DIR)"), described);
    assertTrue(described.contains("stream.allowed-lateness = 30m  (default)"), described);
  }

  @Test
  void everyDeclaredKeyHasItsEnvironmentVariable() throws Exception {
    for (Setting<?> d : Keys.all()) {
      Settings s = Settings.load(List.of(), Map.of(), Map.of(d.envName(), d.defaultText() == null ? "2026-11-20" : d.defaultText()));
      assertTrue(s.find(d.key()).isPresent(), d.envName() + " sets " + d.key());
    }
    assertEquals("SILO_REPORTS_SOURCE_KAFKA_TOPIC_SILO_READINGS", Keys.SOURCE_KAFKA_TOPIC_READINGS.envName());
  }

  @Test
  void clearErrorsForUnknownFlagsMissingKeysBadValuesAndTypos() throws Exception {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Settings.load(List.of("--nope", "1"), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("unknown flag --nope"), e.getMessage());
    Settings s = Settings.of(Map.of("stream.allowed-lateness", "soon", "stream.trigerr", "1m"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get(Keys.DB_URL)).getMessage()
        .contains("SILO_REPORTS_DB_URL"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get(Keys.STREAM_ALLOWED_LATENESS)).getMessage()
        .contains("setting 'stream.allowed-lateness' has an invalid value 'soon'"));
    assertEquals(List.of("stream.trigerr (given)"), s.unknownKeys());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Settings.of(Map.of("sink.type", "csv")).get(Keys.SINK_TYPE)).getMessage().contains("parquet, mysql"));
  }

  @Test
  void referencesToOtherKeysAreResolved() {
    Settings s = Settings.of(Map.of("db.url", "jdbc:mysql://h/db", "jobstore.url", "${db.url}", "loop", "${loop}"));
    assertEquals("jdbc:mysql://h/db", s.get(Keys.JOBSTORE_URL));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get("loop")).getMessage().contains("refers to itself"));
  }

  @Test
  void durationsInShortAndIsoForms() {
    assertEquals(Duration.ofMinutes(30), Setting.Kind.parseDuration("30m"));
    assertEquals(Duration.ofSeconds(45), Setting.Kind.parseDuration("45s"));
    assertEquals(Duration.ofHours(2), Setting.Kind.parseDuration("PT2H"));
    assertEquals(Duration.ofDays(1), Setting.Kind.parseDuration("1d"));
    assertEquals(Duration.ofMillis(500), Setting.Kind.parseDuration("500ms"));
  }

  @Test
  void aDurationOrOff() {
    assertEquals(java.util.Optional.of(Duration.ofHours(1)),
        Settings.of(Map.of()).get(Keys.RETENTION_EVERY), "the default");
    assertEquals(java.util.Optional.empty(), Settings.of(Map.of("retention.every", "off")).get(Keys.RETENTION_EVERY));
    assertEquals(java.util.Optional.of(Duration.ofSeconds(2)),
        Settings.of(Map.of("retention.every", "2s")).get(Keys.RETENTION_EVERY));
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> Settings.of(Map.of("retention.every", "0s")).get(Keys.RETENTION_EVERY));
    assertTrue(zero.getMessage().contains("retention.every") && zero.getMessage().contains("or off"),
        zero.getMessage());
  }
}
