package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.Pipeline;
import io.siloreports.ingest.ValidationRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the streaming job reads from configuration, resolved once at start.
 *
 * @param trigger {@code available-now} (process what is there, then stop) or an interval such as {@code 1m}
 * @param triggerInterval the processing-time interval; null for available-now
 * @param allowedLateness how far behind the largest event time seen an hour stays open
 */
public record StreamConfig(
    SourceConfig source,
    StoreConfig sink,
    String checkpointDir,
    List<Pipeline> pipelines,
    String trigger,
    Duration triggerInterval,
    Duration allowedLateness,
    ValidationRules rules,
    boolean migrateOnStart,
    Map<String, String> sparkConf) {

  public static final Map<String, String> FLAGS =
      Map.of(
          "input", "input.dir",
          "warehouse", "warehouse.dir",
          "checkpoint", "checkpoint.dir",
          "trigger", "stream.trigger",
          "allowed-lateness", "stream.allowed-lateness",
          "pipelines", "stream.pipelines",
          "max-files-per-trigger", "source.file.maxFilesPerTrigger",
          "source", "source.type",
          "sink", "sink.type");

  public static StreamConfig from(Settings s) {
    List<Pipeline> pipelines = new ArrayList<>();
    for (String id : s.get("stream.pipelines", "silo-readings,activity-events").split(",")) {
      if (!id.isBlank()) {
        pipelines.add(Pipeline.fromId(id.trim()));
      }
    }
    String trigger = s.get("stream.trigger", "available-now");
    Duration interval = trigger.equals("available-now") ? null : s.getDuration("stream.trigger", null);
    return new StreamConfig(
        SourceConfig.from(s),
        StoreConfig.from(s),
        s.get("checkpoint.dir"),
        List.copyOf(pipelines),
        trigger,
        interval,
        s.getDuration("stream.allowed-lateness", Duration.ofMinutes(30)),
        ValidationRules.from(s),
        s.getBoolean("db.migrate-on-start", false),
        s.withPrefix("spark."));
  }

  public boolean availableNow() {
    return trigger.equals("available-now");
  }

}
