package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.time.Clock;

/** {@code stream}: the streaming aggregation, available-now or continuous. */
final class StreamCommand extends Command {
  StreamCommand() {
    super("stream", "run the streaming aggregation (available-now, or --trigger 1m to keep running)", JOB,
        "input", Keys.INPUT_DIR,
        "warehouse", Keys.WAREHOUSE_DIR,
        "checkpoint", Keys.CHECKPOINT_DIR,
        "trigger", Keys.STREAM_TRIGGER,
        "allowed-lateness", Keys.STREAM_ALLOWED_LATENESS,
        "max-revision-age", Keys.STREAM_MAX_REVISION_AGE,
        "pipelines", Keys.STREAM_PIPELINES,
        "source", Keys.SOURCE_TYPE,
        "sink", Keys.SINK_TYPE);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) throws Exception {
    StreamConfig config = StreamConfig.from(settings);
    return Wiring.stream(config, sessions.session("silo-reports-stream", config.sparkConf()), Clock.systemUTC())
        .run();
  }
}
