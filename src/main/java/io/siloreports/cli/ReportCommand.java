package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.JobOutcome;
import io.siloreports.report.SiloReport;
import io.siloreports.reportjob.FailureReasons;
import io.siloreports.reportjob.JobId;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.spark.LazySession;
import io.siloreports.spark.SessionSource;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code report}: one run per request, {@code --job-id} required. Succeeds only when the job ends COMPLETED; a job
 * that cannot even start (Spark, a database, a setting) still ends FAILED with the reason, never stays PENDING.
 */
final class ReportCommand extends Command {
  ReportCommand() {
    super("report", "build one report (--job-id ID [--from T] [--to T] [--silos 1,2,5-8] [--as-of T])", JOB,
        "job-id", Keys.REPORT_JOB_ID,
        "from", Keys.REPORT_FROM,
        "to", Keys.REPORT_TO,
        "silos", Keys.REPORT_SILOS,
        "format", Keys.REPORT_FORMAT,
        "as-of", Keys.REPORT_AS_OF,
        "output", Keys.REPORT_OUTPUT_DIR,
        "input", Keys.INPUT_DIR,
        "warehouse", Keys.WAREHOUSE_DIR,
        "hot-source", Keys.REPORT_HOT_SOURCE);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReportCommand.class);

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) {
    ReportConfig config;
    try {
      config = ReportConfig.from(settings);
      // The same check as the API's, after defaults: --from 1970-01-01 alone is a 56-year range, refused.
      config.request().requireRunnable(Clock.systemUTC().instant(), config.defaultDays());
    } catch (IllegalArgumentException e) {
      failOnBadSettings(settings, e);
      throw e;
    }
    Clock clock = Clock.systemUTC();
    try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), config.migrateOnStart(), clock);
        LogContext.Scope ignored = LogContext.ofJob(config.jobId(), requestIdOf(jobs, config.jobId()))) {
      SiloReport report;
      try {
        String appName = "silo-reports-report-" + config.jobId();
        // Started only when needed, except under spark-submit: YARN's cluster mode fails a driver that never
        // created its SparkContext ("User did not initialize spark context"), however the report went.
        report = sessions.existing().isPresent() || Main.launchedBySpark()
            ? Wiring.report(config, sessions.existing().orElseGet(() -> sessions.session(appName, config.sparkConf())),
                jobs, clock)
            : Wiring.report(config, new LazySession(sessions, appName, config.sparkConf()),
                Wiring.hadoop(config.sparkConf()), jobs, clock);
      } catch (RuntimeException | Error e) { // Error: a LinkageError of a library the cluster has in another version
        return failBeforeStart(jobs, config, e);
      }
      SiloReport.Outcome outcome = report.run(config.jobId(), config.request());
      if (outcome.succeeded() && System.console() != null) {
        System.out.println("download: " + outcome.url()); // a person at a terminal gets the working link
      }
      return outcome;
    }
  }

  /**
   * The id of the request that created the job, from its stored row, so this run's lines carry it like the service's
   * and the worker's; none when the job is not there yet (a run from the command line) or cannot be read (the run
   * itself then fails saying why).
   */
  private static String requestIdOf(ReportJobStore jobs, String jobId) {
    try {
      return jobs.find(jobId).map(ReportJob::requestId).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Settings the report cannot run with (a bad {@code --from}, an unknown hot source) still end its job FAILED with
   * the reason, when the job id and the job store can be read: a job must not stay PENDING for ever.
   */
  private static void failOnBadSettings(Settings settings, IllegalArgumentException problem) {
    try {
      String jobId = settings.get(Keys.REPORT_JOB_ID);
      JobId.requireValid(jobId);
      try (ReportJobStore jobs = Wiring.jobStore(Configs.jobStore(settings), settings.get(Keys.DB_MIGRATE_ON_START),
          Clock.systemUTC())) {
        new ReportJobLifecycle(jobs).failBeforeStart(jobId, null, "invalid settings: " + problem.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.warn("report: the job could not be marked FAILED ({}); the settings problem is: {}", e.getMessage(),
          problem.getMessage());
    }
  }

  /** A job that cannot even start ends FAILED with the reason (created first if the run made it up). */
  private static JobOutcome failBeforeStart(ReportJobStore jobs, ReportConfig config, Throwable e) {
    String reason = "cannot start the report: " + FailureReasons.describe(e);
    String stored = new ReportJobLifecycle(jobs).failBeforeStart(config.jobId(), config.request(), reason);
    LOG.error("report {}: FAILED: {}", config.jobId(), reason, e);
    return new SiloReport.Outcome(config.jobId(), JobStatus.FAILED, null, stored, null);
  }
}
