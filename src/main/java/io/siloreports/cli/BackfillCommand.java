package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.time.Clock;

/**
 * {@code backfill}: recomputes final hours from raw files and replaces them in MySQL. Fails (exit 1) when a chunk
 * was skipped; a refused range is a usage error (exit 2).
 */
final class BackfillCommand extends Command {
  BackfillCommand() {
    super("backfill",
        "recompute final hours from raw files and replace them in MySQL (--from T [--to T])",
        JOB,
        "from", Keys.BACKFILL_FROM,
        "to", Keys.BACKFILL_TO,
        "pipelines", Keys.BACKFILL_PIPELINES,
        "input", Keys.INPUT_DIR,
        "format", Keys.BACKFILL_FORMAT,
        "chunk", Keys.BACKFILL_CHUNK,
        "force", Keys.BACKFILL_FORCE,
        "allow-fewer-records", Keys.BACKFILL_ALLOW_FEWER,
        "sink", Keys.SINK_TYPE);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    BackfillConfig config = BackfillConfig.from(settings);
    return Wiring.backfill(config, sessions.session("silo-reports-backfill", config.sparkConf()),
        Clock.systemUTC()).run();
  }
}
