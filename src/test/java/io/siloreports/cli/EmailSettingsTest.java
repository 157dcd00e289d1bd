package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The email settings as the worker reads them: a schedule's or {@code notify.targets}' {@code mailto:} recipient
 * outside {@code notify.email.allowed-domains} stops the worker at start with the setting named; the SMTP settings
 * become the notifier's, the password never shown.
 */
class EmailSettingsTest {

  private static Map<String, String> base() {
    Map<String, String> m = new HashMap<>();
    m.put("notify.email.allowed-domains", "example.com");
    m.put("notify.email.smtp.host", "smtp.example.com");
    m.put("notify.email.smtp.user", "reports");
    m.put("notify.email.smtp.password", "smtp-secret-1");
    m.put("notify.email.from", "silo-reports@example.com");
    m.put("schedule.daily.cron", "0 6 * * *");
    return m;
  }

  @Test
  void aScheduleRecipientOutsideTheAllowedDomainsStopsTheWorkerNamingTheSetting() {
    Map<String, String> m = base();
    m.put("schedule.daily.notify", "mailto:ana@example.com,mailto:eve@elsewhere.net");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WorkerConfig.from(Settings.of(m)));
    assertEquals("schedule.daily.notify: notify.email: the domain 'elsewhere.net' is not allowed"
        + " (notify.email.allowed-domains: example.com)", e.getMessage());

    Map<String, String> targets = base();
    targets.put("notify.targets", "mailto:eve@elsewhere.net");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerConfig.from(Settings.of(targets)))
        .getMessage().startsWith("notify.targets: notify.email: the domain 'elsewhere.net'"));
  }

  @Test
  void allowedRecipientsAndTheSmtpSettingsAreTheWorkers() {
    Map<String, String> m = base();
    m.put("schedule.daily.notify", "mailto:ana@example.com");
    WorkerConfig c = WorkerConfig.from(Settings.of(m));
    assertEquals(List.of("mailto:ana@example.com"), c.schedules().get(0).notifyTargets());
    assertEquals("smtp.example.com", c.email().smtp().host());
    assertEquals(587, c.email().smtp().port());
    assertTrue(c.email().smtp().starttls(), "STARTTLS unless told otherwise");
    assertTrue(!c.email().toString().contains("smtp-secret-1"), c.email().toString());
    m.put("notify.email.transport", "ses");
    m.put("notify.email.ses.region", "eu-west-1");
    WorkerConfig ses = WorkerConfig.from(Settings.of(m));
    assertNull(ses.email().smtp());
    assertEquals("eu-west-1", ses.email().sesRegion());
    m.remove("notify.email.transport");
    m.remove("notify.email.smtp.host");
    assertNull(WorkerConfig.from(Settings.of(m)).email(), "no transport, no host: no email notifier");
    m.put("notify.email.transport", "carrier-pigeon");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkerConfig.from(Settings.of(m))).getMessage()
        .contains("notify.email.transport must be smtp or ses"));
  }
}
