package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.Pipeline;
import io.siloreports.model.ProgressRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@code stream} command reads from configuration, resolved once at start.
 *
 * @param triggerInterval a micro-batch every this long until stopped; null for available-now
 * @param lateness how far behind the largest event time seen an hour stays open, and stays revisable
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
    Map<String, String> sparkConf) {

  public static StreamConfig from(Settings s) {
    String trigger = s.get(Keys.STREAM_TRIGGER);
    return new StreamConfig(
        SourceConfig.from(s),
        StoreConfig.from(s),
        s.get(Keys.CHECKPOINT_DIR),
        Pipeline.parseList(s.get(Keys.STREAM_PIPELINES)),
        trigger.equals("available-now") ? null : Keys.STREAM_ALLOWED_LATENESS.parse(trigger),
        Configs.lateness(s),
        Configs.rules(s),
        s.get(Keys.DB_MIGRATE_ON_START),
        s.get(Keys.STREAM_STORE_OUTAGE_TOLERANCE),
        Configs.sparkConf(s));
  }
}
