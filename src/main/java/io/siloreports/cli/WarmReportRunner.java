package io.siloreports.cli;

import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.JobOutcome;
import io.siloreports.report.SiloReport;
import io.siloreports.report.workbook.WorkbookStats;
import io.siloreports.reportjob.JobId;
import io.siloreports.reportjob.JobNotPendingException;
import io.siloreports.reportjob.ReportRequest;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
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
  /** The warm-up's report: long enough to read real rows and draw charts, short enough for any store. */
  static final Duration WARM_UP_RANGE = Duration.ofDays(2);

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
   * and schema check) and a rehearsal of a report of every silo over the last {@link #WARM_UP_RANGE}, written to a
   * temporary file and deleted (the aggregates' progress and a read of real rows, the raw files of the hot hours, a
   * workbook with its charts). No job, nothing stored; a failure only costs the first report time. A warm-up that
   * only read an empty range and wrote a made-up workbook left the first month's report at 7 s, the next at 2.
   */
  static void warmUp(String[] settings, Logger log) {
    long started = System.nanoTime();
    try {
      String[] flags = Arrays.copyOf(settings, settings.length + 2);
      flags[settings.length] = "--job-id";
      flags[settings.length + 1] = "warm-up";
      ReportConfig config = ReportConfig.from(Main.settings(Main.command("report"), flags));
      Clock clock = Clock.systemUTC();
      try (ReportJobStore jobs = Wiring.jobStore(config.jobStore(), config.migrateOnStart(), clock)) {
        jobs.find("warm-up");
        SiloReport report = Wiring.report(config, () -> {
          throw new SparkNeeded("the warm-up's report");
        }, Wiring.hadoop(config.sparkConf()), jobs, clock);
        Instant from = clock.instant().truncatedTo(ChronoUnit.HOURS).minus(WARM_UP_RANGE);
        Path tmp = Files.createTempFile("silo-report-warm-up-", ".xlsx");
        try {
          WorkbookStats stats = report.rehearse(new ReportRequest(from, null, List.of(), null), tmp);
          log.info("warm runner: warmed up in {} ms (a rehearsal of {} rows)", (System.nanoTime() - started) / 1_000_000,
              stats.totalRows());
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
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
