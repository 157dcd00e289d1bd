package io.siloreports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.config.Settings;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Refused;
import io.siloreports.store.ProgressStore;
import io.siloreports.stream.MicroBatchEngine;
import io.siloreports.stream.SparkQueryEngine;
import io.siloreports.stream.StreamJob;
import io.siloreports.stream.TablePollingEngine;
import io.siloreports.testing.LocalSpark;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition root picks the stream's engine from the source: nothing here reads a source or a database. */
class WiringStreamEngineTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T15:00:00Z"), ZoneOffset.UTC);
  private static final ProgressStore NOTHING_COMMITTED = new ProgressStore() {
    @Override
    public Optional<AggregationProgress> last(Pipeline pipeline) {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "nothing committed";
    }
  };

  @TempDir Path dir;

  @Test
  void theMySqlRawTableIsPolledByPosition() {
    MicroBatchEngine engine = engine(Map.of("source.type", "mysql", "db.url", "jdbc:mysql://127.0.0.1:1/raw"));
    assertInstanceOf(TablePollingEngine.class, engine);
    assertTrue(engine.input(Pipeline.SILO_READINGS).startsWith("MySQL table silo_readings"),
        engine.input(Pipeline.SILO_READINGS));
    assertEquals("position the start", engine.resumesFrom(Pipeline.SILO_READINGS, Optional.empty()));
  }

  @Test
  void filesAndKafkaAreSparkQueriesCheckpointedPerPipeline() {
    MicroBatchEngine files = engine(Map.of("input.dir", dir.resolve("in").toString()));
    assertInstanceOf(SparkQueryEngine.class, files);
    assertEquals(dir.resolve("in") + "/activity-events", files.input(Pipeline.ACTIVITY_EVENTS));
    assertEquals("checkpoint " + dir.resolve("cp") + "/silo-readings, last committed batch none",
        files.resumesFrom(Pipeline.SILO_READINGS, Optional.empty()));

    MicroBatchEngine kafka = engine(Map.of("source.type", "kafka", "kafka.bootstrap.servers", "127.0.0.1:1"));
    assertInstanceOf(SparkQueryEngine.class, kafka);
    assertEquals("kafka topic silo-readings at 127.0.0.1:1", kafka.input(Pipeline.SILO_READINGS));
  }

  /** The table holds readings only: a stream of events from it is refused before anything is read. */
  @Test
  void aTableStreamOfEventsIsRefusedAtStart() {
    Map<String, String> settings = settings(Map.of("source.type", "mysql", "db.url", "jdbc:mysql://127.0.0.1:1/raw",
        "stream.pipelines", "activity-events"));
    StreamJob job = Wiring.stream(StreamConfig.from(Settings.of(settings)), LocalSpark.get(), CLOCK);
    Refused refused = assertThrows(Refused.class, job::run);
    assertEquals("source.type=mysql reads the readings table only; activity-events needs files or Kafka (set"
        + " stream.pipelines=silo-readings, or another source.type)", refused.getMessage());
  }

  private MicroBatchEngine engine(Map<String, String> source) {
    StreamConfig config = StreamConfig.from(Settings.of(settings(source)));
    return Wiring.streamEngine(config, LocalSpark.get(), NOTHING_COMMITTED, CLOCK);
  }

  private Map<String, String> settings(Map<String, String> source) {
    Map<String, String> s = new HashMap<>(source);
    s.put("checkpoint.dir", dir.resolve("cp").toString());
    s.put("warehouse.dir", dir.resolve("warehouse").toString());
    return s;
  }
}
