package io.siloreports.pipeline;

import io.siloreports.aggregate.Aggregation;
import io.siloreports.aggregate.BucketCounts;
import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.model.Pipeline;

/**
 * What the code asks about a pipeline instead of telling the pipelines apart: the format of its records (parsed
 * schema, named columns, JSON and CSV parsers), its aggregation (partials, merge, combiner, key and time columns,
 * bucket sizes, per-batch check) and the nouns its logs use. {@link #of} is the one place that maps a
 * {@link Pipeline} to these; a new pipeline is added there, and nowhere else needs to compare pipelines.
 */
public final class PipelineDescriptor {
  private static final PipelineDescriptor SILO_READINGS = new PipelineDescriptor(Pipeline.SILO_READINGS,
      RecordFormat.READINGS, HourlyAggregates.AGGREGATION, "readings", "hours");
  private static final PipelineDescriptor ACTIVITY_EVENTS = new PipelineDescriptor(Pipeline.ACTIVITY_EVENTS,
      RecordFormat.EVENTS, BucketCounts.AGGREGATION, "events", "buckets");

  private final Pipeline pipeline;
  private final RecordFormat format;
  private final Aggregation aggregation;
  private final String recordsNoun;
  private final String rowsNoun;

  private PipelineDescriptor(Pipeline pipeline, RecordFormat format, Aggregation aggregation, String recordsNoun,
      String rowsNoun) {
    this.pipeline = pipeline;
    this.format = format;
    this.aggregation = aggregation;
    this.recordsNoun = recordsNoun;
    this.rowsNoun = rowsNoun;
  }

  /** The descriptor of {@code pipeline}. */
  public static PipelineDescriptor of(Pipeline pipeline) {
    return switch (pipeline) {
      case SILO_READINGS -> SILO_READINGS;
      case ACTIVITY_EVENTS -> ACTIVITY_EVENTS;
    };
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  /** Its records: parsed schema, key and event-time columns, JSON-line and CSV parsers. */
  public RecordFormat format() {
    return format;
  }

  /** Its aggregates: partial schema, key and time columns, bucket sizes, partials, merge, combiner, check. */
  public Aggregation aggregation() {
    return aggregation;
  }

  /** What its records are called in logs: {@code readings}, {@code events}. */
  public String recordsNoun() {
    return recordsNoun;
  }

  /** What its aggregate rows are called in logs: {@code hours}, {@code buckets}. */
  public String rowsNoun() {
    return rowsNoun;
  }
}
