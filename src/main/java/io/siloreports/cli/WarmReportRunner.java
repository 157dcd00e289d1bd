package io.siloreports.cli;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.Pipeline;
import io.siloreports.report.workbook.FinalHourlyRow;
import io.siloreports.report.workbook.ReportHeader;
import io.siloreports.report.workbook.SxssfWorkbookWriter;
import io.siloreports.store.AggregateStore;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import io.siloreports.model.JobOutcome;
import io.siloreports.report.SiloReport;
import io.siloreports.reportjob.JobId;
import io.siloreports.reportjob.JobNotPendingException;
import io.siloreports.spark.SessionSource;
import io.siloreports.spark.SparkNeeded;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm runner: a JVM the worker keeps ({@code worker.submit.WarmSubmitter}) that runs the reports needing no
 * Spark one after another, each exactly as {@code report --job-id X} would (the same command, settings, job life
 * cycle and log context), without a JVM and a spark-submit per report. It reads {@code run <job id>} lines on stdin
 * and answers each on stdout with {@code <MARK>started <job id>} as it begins, then {@code <MARK>done <job id> <completed|failed|not-pending|spark> <keep|retire>}:
 * {@code spark} when the report needed Spark, which this JVM refuses to start (the job is back to SUBMITTED for
 * spark-submit); {@code retire} after {@code max} reports or when the heap stays above 80% after its last collection,
 * and then it exits. It also ends when stdin closes (its worker is gone).
 *
 * <p>args: {@code <max reports> <the report's settings flags...>}.
 */
public final class WarmReportRunner {
  /** Starts every line of the protocol, so the worker tells answers from log lines on the same stream. */
  public static final String MARK = "\u0001warm-runner ";
  private static final double HEAP_BOUND = 0.8;

  private WarmReportRunner() {}

  public static void main(String[] args) throws IOException {
    PrintStream replies = System.out;
    int max = Integer.parseInt(args[0]);
    String[] settings = Arrays.copyOfRange(args, 1, args.length);
    Logger log = LoggerFactory.getLogger(WarmReportRunner.class);
    warmUp(settings, log);
    log.info("warm runner: ready for up to {} reports that need no Spark", max);
    reply(replies, "ready");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    int ran = 0;
    for (String line; (line = in.readLine()) != null; ) {
      if (!line.startsWith("run ")) {
        log.warn("warm runner: ignoring a line that is not 'run <job id>'");
        continue;
      }
      String jobId = line.substring(4).trim();
      reply(replies, "started " + jobId); // the worker sends the lines from here on to the report's log
      String result = runOne(jobId, settings, log);
      ran++;
      boolean retire = ran >= max || heapAfterLastCollection() > HEAP_BOUND;
      reply(replies, "done " + jobId + " " + result + (retire ? " retire" : " keep"));
      if (retire) {
        log.info("warm runner: retiring after {} report(s), heap {}% of its maximum after its last collection", ran,
            Math.round(heapAfterLastCollection() * 100));
        break;
      }
    }
    System.exit(0); // libraries (Hadoop, the JDBC pools) leave non-daemon threads behind
  }

  /** One report as {@code report --job-id X}; its result word for the worker. */
  static String runOne(String jobId, String[] settings, Logger log) {
    try {
      JobId.requireValid(jobId);
      Command report = Main.command("report");
      String[] flags = Arrays.copyOf(settings, settings.length + 2);
      flags[settings.length] = "--job-id";
      flags[settings.length + 1] = jobId;
      JobOutcome outcome = report.run(Main.settings(report, flags), REFUSES_SPARK);
      if (outcome instanceof SiloReport.Outcome o && o.status() == JobStatus.SUBMITTED) {
        return "spark";
      }
      return outcome.succeeded() ? "completed" : "failed";
    } catch (JobNotPendingException e) {
      log.warn("warm runner: {}", e.getMessage());
      return "not-pending";
    } catch (Exception | LinkageError | OutOfMemoryError e) {
      log.error("warm runner: report {} failed: {}", jobId, e.toString(), e);
      return "failed";
    }
  }

  /**
   * Loads and runs once what every report uses, so the first one is as quick as the next: the job store (its driver
   * and schema check), the aggregates' progress and an empty read of them (Hadoop, Parquet or the MySQL driver), and a
   * small workbook written to a temporary file (POI). Nothing is stored; a failure only costs the first report time.
   */
  static void warmUp(String[] settings, Logger log) {
    long started = System.nanoTime();
    try {
      String[] flags = Arrays.copyOf(settings, settings.length + 2);
      flags[settings.length] = "--job-id";
      flags[settings.length + 1] = "warm-up";
      ReportConfig config = ReportConfig.from(Main.settings(Main.command("report"), flags));
      try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), config.migrateOnStart(), Clock.systemUTC())) {
        jobs.find("warm-up");
      }
      Wiring.Stores stores = Wiring.stores(config.store(), () -> {
        throw new SparkNeeded("the warm-up");
      }, Wiring.hadoop(config.sparkConf()));
      Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
      stores.progress().last(Pipeline.SILO_READINGS);
      stores.aggregates().hourlyInSheetOrder(List.of(1), hour, hour).ifPresent(AggregateStore.HourlyRowsInOrder::close);
      List<FinalHourlyRow> rows = new ArrayList<>();
      for (int h = 0; h < 48; h++) {
        BigDecimal v = BigDecimal.valueOf(50 + h % 7);
        rows.add(new FinalHourlyRow(1, hour.minus(48 - h, ChronoUnit.HOURS), v, v, v, v, 1, 0, null));
      }
      Path tmp = Files.createTempFile("silo-report-warm-up-", ".xlsx");
      try {
        new SxssfWorkbookWriter(config.statistics()).write(new ReportHeader("warm-up", List.of(1),
            hour.minus(48, ChronoUnit.HOURS), hour, hour, hour, hour, 0L), rows.iterator(), List.of(1), tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
      log.info("warm runner: warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
    } catch (Exception | LinkageError e) {
      log.warn("warm runner: the warm-up failed ({}); the first report will take longer", e.toString());
    }
  }

  /** Sessions this JVM never starts: a report that needs one goes to spark-submit. */
  private static final SessionSource REFUSES_SPARK = (appName, sparkConf) -> {
    throw new SparkNeeded(appName);
  };

  /** The heap in use after each pool's last collection, as a share of the maximum (garbage does not count). */
  static double heapAfterLastCollection() {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage after = pool.getType() == MemoryType.HEAP ? pool.getCollectionUsage() : null;
      if (after != null) {
        used += after.getUsed();
      }
    }
    long max = Runtime.getRuntime().maxMemory();
    return max <= 0 ? 0 : (double) used / max;
  }

  private static void reply(PrintStream out, String line) {
    out.println(MARK + line);
    out.flush();
  }
}
