package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import io.siloreports.stream.SparkQueryEngine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@code stream} command reads from configuration, resolved once at start.
 *
 * @param triggerInterval a micro-batch every this long until stopped; null for available-now
 * @param lateness how far behind the largest event time seen an hour stays open, and stays revisable
 * @param sourceOutageTolerance how long unreachable Kafka brokers are waited out (queries restarted) before stopping
 * @param stopFile the planned stop's file; null when there is none
 * @param metricsPort where the metrics are served ({@code metricsBind}); null: nowhere
 * @param retentionEvery how often a MySQL stream applies the {@code retention.*} ages itself; null: never
 * @param sparkConf the {@code spark.*} settings, with the checkpoint file manager for an {@code s3a://} checkpoint root
 *     unless one is set
 */
public record StreamConfig(
    SourceConfig source,
    StoreConfig store,
    String checkpointDir,
    List<Pipeline> pipelines,
    Duration triggerInterval,
    ProgressRule.Lateness lateness,
    ValidationRules rules,
    boolean migrateOnStart,
    Duration storeOutageTolerance,
    Duration sourceOutageTolerance,
    String stopFile,
    String metricsBind,
    Integer metricsPort,
    Duration retentionEvery,
    Map<String, String> sparkConf) {

  public static StreamConfig from(Settings s) {
    String trigger = s.get(Keys.STREAM_TRIGGER);
    String checkpointDir = s.get(Keys.CHECKPOINT_DIR);
    Map<String, String> sparkConf = new LinkedHashMap<>(SparkQueryEngine.checkpointConf(checkpointDir));
    sparkConf.putAll(Configs.sparkConf(s));
    return new StreamConfig(
        SourceConfig.from(s),
        StoreConfig.from(s),
        checkpointDir,
        Pipeline.parseList(s.get(Keys.STREAM_PIPELINES)),
        trigger.equals("available-now") ? null : Keys.STREAM_ALLOWED_LATENESS.parse(trigger),
        Configs.lateness(s),
        Configs.rules(s),
        s.get(Keys.DB_MIGRATE_ON_START),
        s.get(Keys.STREAM_STORE_OUTAGE_TOLERANCE),
        s.get(Keys.STREAM_SOURCE_OUTAGE_TOLERANCE),
        s.find(Keys.STREAM_STOP_FILE).orElse(null),
        s.get(Keys.STREAM_METRICS_BIND),
        s.find(Keys.STREAM_METRICS_PORT).orElse(null),
        s.find(Keys.RETENTION_EVERY).flatMap(every -> every).orElse(null),
        sparkConf);
  }
}
