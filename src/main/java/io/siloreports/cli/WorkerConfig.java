package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.submit.LocalSubmitter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * Everything the report worker reads from configuration: the job store, how jobs run, and the timeouts.
 *
 * @param local how the local submitter starts a report, with the settings it hands to each run; null for
 *     {@code worker.submitter=none}
 */
public record WorkerConfig(
    Jdbc jobStore,
    LocalSubmitter.Settings local,
    int maxConcurrent,
    Duration pollInterval,
    Duration pendingTimeout,
    Duration submittedTimeout,
    Duration processingTimeout,
    boolean migrateOnStart) {

  /** A report run gets its job id and request from the job row, never from the settings it inherits. */
  private static final Set<String> NOT_FORWARDED = Set.of(Keys.REPORT_JOB_ID.key(), Keys.REPORT_FROM.key(),
      Keys.REPORT_TO.key(), Keys.REPORT_SILOS.key(), Keys.REPORT_AS_OF.key());

  public static WorkerConfig from(Settings s) {
    LocalSubmitter.Settings local = null;
    if (s.get(Keys.WORKER_SUBMITTER).equals("local")) {
      Settings.Forwarding forwarding = s.forwarding(NOT_FORWARDED);
      local = new LocalSubmitter.Settings(
          Path.of(s.get(Keys.SUBMIT_LOCAL_SPARK_HOME)).toAbsolutePath().toString(),
          s.get(Keys.SUBMIT_LOCAL_APP_RESOURCE),
          s.get(Keys.SUBMIT_LOCAL_MASTER),
          s.get(Keys.SUBMIT_LOCAL_JAVA_OPTIONS),
          Path.of(s.get(Keys.SUBMIT_LOCAL_LOG_DIR)),
          forwarding.args(),
          forwarding.env());
    }
    return new WorkerConfig(
        Configs.jobStore(s),
        local,
        s.get(Keys.WORKER_MAX_CONCURRENT),
        s.get(Keys.WORKER_POLL_INTERVAL),
        s.get(Keys.WORKER_PENDING_TIMEOUT),
        s.get(Keys.WORKER_SUBMITTED_TIMEOUT),
        s.get(Keys.REPORT_PROCESSING_TIMEOUT),
        s.get(Keys.DB_MIGRATE_ON_START));
  }
}
