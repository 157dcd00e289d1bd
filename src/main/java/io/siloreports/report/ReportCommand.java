package io.siloreports.report;

import io.siloreports.config.Settings;
import io.siloreports.ingest.RawFileSource;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.JobStores;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.sink.ParquetAggregateStore;
import io.siloreports.spark.SparkSessions;
import java.nio.file.Path;
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
    ReportConfig config = ReportConfig.from(Settings.load(List.of(args), ReportConfig.FLAGS, System.getenv()));
    try (ReportJobStore jobs = JobStores.open(config.jobStoreUrl(), config.jobStoreUser(), config.jobStorePassword())) {
      jobs.migrate();
      SparkSession spark;
      try {
        spark = SparkSessions.create("silo-reports-report-" + config.jobId(), config.sparkConf());
      } catch (RuntimeException e) {
        // The job must still end FAILED with a reason, not stay PENDING.
        jobs.markFailed(config.jobId(), "cannot start Spark: " + SiloReport.describe(e));
        throw e;
      }
      SiloReport report =
          new SiloReport(
              spark,
              new ParquetAggregateStore(spark, config.warehouseDir()),
              new RawFileSource(config.inputDir()),
              jobs,
              new SxssfWorkbookWriter(),
              new LocalReportOutput(Path.of(config.outputDir())),
              config.rules(),
              config.defaultDays(),
              config.processingTimeout(),
              Clock.systemUTC());
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
}
