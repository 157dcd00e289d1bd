package io.siloreports.generate;

/** Why an input line is a bad record (the rules in docs/architecture.md, invariant 3); {@link #label()} is how the manifest names it. */
public enum BadRecordKind {
  UNPARSEABLE_JSON,
  MISSING_FIELD,
  WRONG_TYPE,
  NON_FINITE_VALUE,
  ABSURD_TIMESTAMP,
  UNKNOWN_RECORD_TYPE;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
