package io.siloreports.generate;

import io.siloreports.model.Pipeline;
import java.util.EnumSet;
import java.util.Set;

/** What the generator writes for each {@link Pipeline}: file names and the kinds of bad record that fit. */
public enum SampleStream {
  SILO_READINGS(
      Pipeline.SILO_READINGS,
      "readings",
      EnumSet.of(
          BadRecordKind.UNPARSEABLE_JSON,
          BadRecordKind.MISSING_FIELD,
          BadRecordKind.WRONG_TYPE,
          BadRecordKind.NON_FINITE_VALUE,
          BadRecordKind.ABSURD_TIMESTAMP)),
  ACTIVITY_EVENTS(
      Pipeline.ACTIVITY_EVENTS,
      "events",
      EnumSet.of(
          BadRecordKind.UNPARSEABLE_JSON,
          BadRecordKind.MISSING_FIELD,
          BadRecordKind.WRONG_TYPE,
          BadRecordKind.ABSURD_TIMESTAMP,
          BadRecordKind.UNKNOWN_RECORD_TYPE));

  private final Pipeline pipeline;
  private final String dayFilePrefix;
  private final Set<BadRecordKind> badRecordKinds;

  SampleStream(Pipeline pipeline, String dayFilePrefix, Set<BadRecordKind> badRecordKinds) {
    this.pipeline = pipeline;
    this.dayFilePrefix = dayFilePrefix;
    this.badRecordKinds = badRecordKinds;
  }

  /** The topic name and the directory the files go to. */
  public String id() {
    return pipeline.id;
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
