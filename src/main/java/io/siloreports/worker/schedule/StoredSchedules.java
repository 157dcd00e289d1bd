package io.siloreports.worker.schedule;

import io.siloreports.jobstore.JdbcScheduleStore;
import io.siloreports.jobstore.StoredSchedule;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.ReportRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedules in {@code report_schedules} that run: not paused, and valid (a row that no longer parses, e.g. a
 * zone a newer JDK dropped, is skipped with one warning per change, never fired half-read). Also seeds the store from
 * the {@code schedule.<name>.*} settings at start.
 */
public final class StoredSchedules implements Supplier<List<ReportSchedule>> {
  private static final Logger LOG = LoggerFactory.getLogger(StoredSchedules.class);
  /** Who a settings-seeded schedule was created or changed by. */
  public static final String SETTINGS = "settings";

  private final JdbcScheduleStore store;
  private final Function<String, Duration> parseDuration;
  private final Set<String> warned = new HashSet<>();

  public StoredSchedules(JdbcScheduleStore store, Function<String, Duration> parseDuration) {
    this.store = store;
    this.parseDuration = parseDuration;
  }

  @Override
  public List<ReportSchedule> get() {
    List<ReportSchedule> out = new ArrayList<>();
    for (StoredSchedule row : store.list()) {
      if (row.paused()) {
        continue;
      }
      try {
        out.add(schedule(row.name(), row.fields(), row.recipients(), parseDuration).since(row.createdAt()));
      } catch (IllegalArgumentException e) {
        if (warned.add(row.name() + "@" + row.updatedAt())) {
          LOG.warn("stored schedule {} is skipped: {}; change or delete it (PUT or DELETE /api/schedules/{})",
              row.name(), e.getMessage(), row.name());
        }
      }
    }
    return out;
  }

  /** The schedule a stored row's fields and recipients make, checked as the settings are. */
  public static ReportSchedule schedule(String name, Map<String, String> fields, String recipients,
      Function<String, Duration> parseDuration) {
    return ReportSchedule.of(name, withRecipients(fields, recipients), parseDuration);
  }

  /**
   * A stored schedule's fields with its email recipients ({@code recipients}, comma-separated addresses) added to its
   * {@code notify} targets as {@code mailto:} ones: what the schedule runs with.
   */
  static Map<String, String> withRecipients(Map<String, String> fields, String recipients) {
    if (recipients == null || recipients.isBlank()) {
      return fields;
    }
    List<String> notify = ReportRequest.parseTargets(fields.get("notify"));
    for (String a : ReportRequest.parseTargets(recipients)) {
      if (!notify.contains(EmailRecipients.SCHEME + a)) {
        notify.add(EmailRecipients.SCHEME + a);
      }
    }
    Map<String, String> out = new TreeMap<>(fields);
    out.put("notify", String.join(",", notify));
    return out;
  }

  /**
   * Upserts each schedule of the settings by name: a new name is created; an existing one is changed only when
   * {@code settingsWin} (otherwise the API's edits are kept). Returns how many rows were created or changed.
   */
  public int seed(List<ReportSchedule> fromSettings, boolean settingsWin) {
    int changed = 0;
    for (ReportSchedule s : fromSettings) {
      var existing = store.find(s.name());
      if (existing.isEmpty()) {
        if (store.create(s.name(), s.fields(), null, "config", SETTINGS)) {
          changed++;
        }
      } else if (settingsWin && !existing.get().fields().equals(s.fields())) {
        store.update(s.name(), s.fields(), existing.get().recipients(), "config", SETTINGS);
        LOG.info("schedule {}: the settings replaced its stored fields (worker.schedules.settings-win=true)",
            s.name());
        changed++;
      }
    }
    return changed;
  }
}
