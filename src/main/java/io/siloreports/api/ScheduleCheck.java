package io.siloreports.api;

import java.util.Map;
import java.util.Set;

/**
 * Checks a schedule given to {@code /api/schedules}: its fields as the {@code schedule.<name>.*} settings are checked,
 * its email recipients, and the targets it would notify (those it had before a change are kept as they were). Throws
 * {@link IllegalArgumentException} with the reason, which the caller gets as a 400.
 */
@FunctionalInterface
public interface ScheduleCheck {
  void check(String name, Map<String, String> fields, String recipients, Set<String> keptTargets);
}
