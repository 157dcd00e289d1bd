package io.siloreports.generate;

import java.util.EnumSet;
import java.util.Set;

/** The two input streams; {@link #id()} is the topic name and the directory the files go to. */
public enum Pipeline {
  SILO_READINGS(
      "silo-readings",
      "readings",
      EnumSet.of(
          BadRecordKind.UNPARSEABLE_JSON,
          BadRecordKind.MISSING_FIELD,
          BadRecordKind.WRONG_TYPE,
          BadRecordKind.NON_FINITE_VALUE,
          BadRecordKind.ABSURD_TIMESTAMP)),
  ACTIVITY_EVENTS(
      "activity-events",
      "events",
      EnumSet.of(
          BadRecordKind.UNPARSEABLE_JSON,
          BadRecordKind.MISSING_FIELD,
          BadRecordKind.WRONG_TYPE,
          BadRecordKind.ABSURD_TIMESTAMP,
          BadRecordKind.UNKNOWN_RECORD_TYPE));

  private final String id;
  private final String dayFilePrefix;
  private final Set<BadRecordKind> badRecordKinds;

  Pipeline(String id, String dayFilePrefix, Set<BadRecordKind> badRecordKinds) {
    this.id = id;
    this.dayFilePrefix = dayFilePrefix;
    this.badRecordKinds = badRecordKinds;
  }

  public String id() {
    return id;
  }

  /** Day files are {@code <prefix>-<yyyy-MM-dd>.jsonl}. */
  public String dayFilePrefix() {
    return dayFilePrefix;
  }

  /** The kinds of bad record that make sense for this pipeline (events have no numeric value). */
  public Set<BadRecordKind> badRecordKinds() {
    return EnumSet.copyOf(badRecordKinds);
  }
}
