package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import io.siloreports.store.MySqlRetention;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code retention}: applies the {@code retention.*} ages to the MySQL aggregates once (a running stream does it itself
 * every {@code retention.every}; this is for {@code retention.every=off}, or no stream running: hourly or daily from
 * cron, an EMR step or Airflow; safe while the stream and a backfill run). The Parquet store needs no command: the
 * stream applies the same ages when it compacts. No Spark needed.
 */
final class RetentionCommand extends Command {
  RetentionCommand() {
    super("retention", "drop expired bucket counts and quarantined records of the MySQL aggregates", JOB);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    RetentionConfig config = RetentionConfig.from(settings);
    if (!config.store().mysql()) {
      return new Done(true, "sink.type is parquet: the stream applies retention when it compacts"
          + " (sink.parquet.compact-every); nothing to do here");
    }
    Wiring.prepareAggregates(config.store().db(), config.migrateOnStart());
    Optional<MySqlRetention.Result> r = Wiring.retention(config.store())
        .apply(Clock.systemUTC().instant(), MySqlRetention.WAIT_FOR_OTHER_RUN);
    return new Done(true, "retention of " + config.store().describe() + " (" + config.store().retention().describe()
        + "): " + r.map(MySqlRetention.Result::describe).orElse("another run (a stream's, retention.every, or another"
            + " retention command) held the database's retention lock for " + MySqlRetention.WAIT_FOR_OTHER_RUN
            .toSeconds() + " s; it applies the same ages, so this run did nothing"));
  }
}
