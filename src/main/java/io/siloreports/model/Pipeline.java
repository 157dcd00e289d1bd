package io.siloreports.model;

/**
 * The two streams this system aggregates. Each has its own raw input (a Kafka topic or a directory named
 * like the topic), its own aggregates table, and its own progress row.
 */
public enum Pipeline {
  SILO_READINGS("silo-readings", "silo_hourly_aggregates"),
  ACTIVITY_EVENTS("activity-events", "bucket_counts");

  /** The topic / input directory name, and the {@code pipeline} value in progress and quarantine. */
  public final String id;

  /** The aggregates table (MySQL) or directory (Parquet). */
  public final String table;

  Pipeline(String id, String table) {
    this.id = id;
    this.table = table;
  }

  /** A comma-separated list of pipeline ids ({@code silo-readings,activity-events}); at least one. */
  public static java.util.List<Pipeline> parseList(String ids) {
    java.util.List<Pipeline> out = new java.util.ArrayList<>();
    for (String id : ids.split(",")) {
      if (!id.isBlank()) {
        out.add(fromId(id.trim()));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no pipeline named in '" + ids + "' (silo-readings, activity-events)");
    }
    return java.util.List.copyOf(out);
  }

  public static Pipeline fromId(String id) {
    for (Pipeline p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown pipeline '" + id + "' (silo-readings or activity-events)");
  }
}
