package io.siloreports.jobstore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A row of {@code report_schedules} as text, as given: what the schedule fields mean and which values are valid is
 * {@code io.siloreports.worker.schedule.ReportSchedule}'s business (the same checks as the settings).
 *
 * @param fields the schedule's fields by their setting names ({@code cron}, {@code at}, {@code zone}, {@code days},
 *     {@code range}, {@code silos}, {@code format}, {@code notify}); absent means default
 * @param recipients who receives the report by e-mail (for the e-mail delivery; stored, not used here)
 * @param source {@code api} or {@code config} (seeded from the settings)
 */
public record StoredSchedule(String name, Map<String, String> fields, String recipients, boolean paused,
    String source, Instant createdAt, Instant updatedAt, String createdBy, String updatedBy) {
  public StoredSchedule {
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }
}
