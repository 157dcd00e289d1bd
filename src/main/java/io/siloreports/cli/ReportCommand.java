package io.siloreports.cli;

import io.siloreports.report.SiloReport;
import io.siloreports.report.hot.HotReadings;
import io.siloreports.report.hot.MySqlHotReadings;
import io.siloreports.report.hot.RawHotReadings;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import io.siloreports.db.SchemaCheck;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.JobStores;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.spark.SparkSessions;
import java.time.Clock;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code report} job: one run per request, {@code --job-id} required. Exit code 0 only if COMPLETED. */
public final class ReportCommand {
  private static final Logger LOG = LoggerFactory.getLogger(ReportCommand.class);

  private ReportCommand() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  public static int run(String[] args) throws Exception {
    Settings settings = Settings.load(List.of(args), ReportConfig.FLAGS, System.getenv());
    ReportConfig config = ReportConfig.from(settings);
    try (ReportJobStore jobs = JobStores.open(config.jobStore())) {
      jobs.migrate();
      SiloReport report;
      try {
        if (config.sink().type().equals("mysql") || config.hotSource().equals("mysql")) {
          SchemaCheck.requireCurrent(mysql(config), config.migrateOnStart());
        }
        SparkSession spark = SparkSessions.create("silo-reports-report-" + config.jobId(), config.sparkConf());
        Clock clock = Clock.systemUTC();
        HotReadings hot =
            config.hotSource().equals("mysql")
                ? new MySqlHotReadings(spark, mysql(config))
                : new RawHotReadings(spark, config.source().create(), config.rules(), clock);
        report =
            new SiloReport(
                spark,
                config.sink().create(spark),
                hot,
                jobs,
                new SxssfWorkbookWriter(),
                ReportOutputs.create(config),
                config.defaultDays(),
                config.processingTimeout(),
                clock);
      } catch (RuntimeException e) {
        // The job must still end FAILED with a reason, not stay PENDING.
        failBeforeStart(jobs, config, e);
        System.out.println("report " + config.jobId() + " FAILED: " + jobs.find(config.jobId())
            .map(j -> j.errorMessage()).orElse(e.getMessage()));
        return 1;
      }
      SiloReport.Outcome outcome = report.run(config.jobId(), config.request());
      if (outcome.status() == JobStatus.COMPLETED) {
        System.out.println("report " + outcome.jobId() + " COMPLETED: " + outcome.url());
        return 0;
      }
      System.out.println("report " + outcome.jobId() + " FAILED: " + outcome.error());
      return 1;
    } catch (SiloReport.JobNotPendingException e) {
      LOG.error("{}", e.getMessage());
      System.err.println("report " + config.jobId() + ": " + e.getMessage());
      return 3;
    }
  }

  private static Jdbc mysql(ReportConfig config) {
    if (config.db() == null) {
      throw new IllegalArgumentException("MySQL is configured as sink or hot source but db.url is not set");
    }
    return config.db();
  }

  /** A job that cannot even start ends FAILED with the reason (created first if the run made it up). */
  private static void failBeforeStart(ReportJobStore jobs, ReportConfig config, RuntimeException e) {
    String reason = "cannot start the report: " + SiloReport.describe(e);
    if (jobs.find(config.jobId()).isEmpty()) {
      jobs.create(config.jobId(), SiloReport.REPORT_TYPE, config.request().toJson());
    }
    jobs.markFailed(config.jobId(), reason);
    LOG.error("report {}: FAILED: {}", config.jobId(), reason);
  }
}
