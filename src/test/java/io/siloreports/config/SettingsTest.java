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
        + "jobstore.password=hunter2\n");
    Settings s =
        Settings.load(
            List.of("--config", file.toString(), "--job-id", "j1", "--conf", "input.dir=/in/flag"),
            Map.of("job-id", "report.job-id"),
            Map.of("SILO_REPORTS_WAREHOUSE_DIR", "/from/env", "SILO_REPORTS_REPORT_OUTPUT_DIR", "/out/env",
                "OTHER", "x"));
    assertEquals("/from/env", s.get("warehouse.dir"));
    assertEquals("/in/flag", s.get("input.dir"));
    assertEquals("/out/env", s.get("report.output-dir"), "env names reach keys with dashes");
    assertEquals("j1", s.get("report.job-id"));
    assertEquals("30m", s.get("stream.allowed-lateness"), "built-in default");
    assertFalse(s.describe().contains("hunter2"), "secrets are masked");
    assertTrue(s.describe().contains("jobstore.password = ****"));
  }

  @Test
  void clearErrorsForUnknownFlagsMissingKeysAndBadValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Settings.load(List.of("--nope", "1"), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("unknown flag --nope"), e.getMessage());
    Settings s = Settings.of(Map.of("a", "soon"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get("missing.key")).getMessage()
        .contains("SILO_REPORTS_MISSING_KEY"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.getDuration("a", null)).getMessage()
        .contains("setting 'a' has an invalid value 'soon'"));
  }

  @Test
  void referencesToOtherKeysAreResolved() {
    Settings s = Settings.of(Map.of("db.url", "jdbc:mysql://h/db", "jobstore.url", "${db.url}", "loop", "${loop}"));
    assertEquals("jdbc:mysql://h/db", s.get("jobstore.url"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.get("loop")).getMessage().contains("refers to itself"));
  }

  @Test
  void durationsInShortAndIsoForms() {
    assertEquals(Duration.ofMinutes(30), Settings.parseDuration("30m"));
    assertEquals(Duration.ofSeconds(45), Settings.parseDuration("45s"));
    assertEquals(Duration.ofHours(2), Settings.parseDuration("PT2H"));
    assertEquals(Duration.ofDays(1), Settings.parseDuration("1d"));
  }
}
