package io.siloreports.cli;

import io.siloreports.backfill.BackfillJob;
import io.siloreports.stream.StreamJob;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One entry point for every job in the jar: {@code Main <command> [flags]}. Each command also has its own
 * main class for spark-submit {@code --class}. Exit codes: 0 done, 1 failed (backfill: also when a chunk was
 * skipped), 2 bad usage (backfill: also a refused range).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private static final String USAGE =
      """
      usage: silo-reports <command> [--config conf/local.properties] [--conf key=value ...] [flags]

      commands:
        generate   write sample JSON-lines input (--silos 6 --days 20 --end <instant> --accounts 4 --seed 42)
        stream     run the streaming aggregation (--trigger available-now|1m, --allowed-lateness 30m)
        report     build one report (--job-id ID [--from T] [--to T] [--silos 1,2,5-8] [--as-of T])
        status     show report jobs (--job-id ID; a fresh presigned URL when the stored one expired) and progress
        produce    send generated input files to the Kafka topics (--input DIR; kafka.* settings)
        migrate    apply the versioned schema migrations to the job store and MySQL databases
        backfill   recompute final hours from raw files and replace them in MySQL (--from T [--to T]
                   [--pipelines silo-readings,activity-events] [--input DIR] [--format json|csv] [--chunk 1d]
                   [--force] [--allow-fewer-records]); --to defaults to each pipeline's finalized_before
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command and returns its exit code. */
  public static int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (args[0]) {
        case "generate" -> GenerateCommand.run(rest);
        case "stream" -> {
          StreamJob.run(rest);
          yield 0;
        }
        case "report" -> ReportCommand.run(rest);
        case "status" -> StatusCommand.run(rest);
        case "migrate" -> MigrateCommand.run(rest);
        case "produce" -> ProduceCommand.run(rest);
        case "backfill" -> BackfillJob.run(rest);
        default -> {
          System.err.println("unknown command '" + args[0] + "'\n" + USAGE);
          yield 2;
        }
      };
    } catch (IllegalArgumentException e) {
      System.err.println("silo-reports " + args[0] + ": " + e.getMessage());
      return 2;
    } catch (Exception e) {
      LOG.error("silo-reports {} failed: {}", args[0], e.toString(), e);
      return 1;
    }
  }
}
