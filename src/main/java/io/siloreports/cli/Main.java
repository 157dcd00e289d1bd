package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Setting;
import io.siloreports.config.Settings;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.model.JobOutcome;
import io.siloreports.report.SiloReport;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of every command in the jar: {@code Main <command> [flags]}, also for spark-submit
 * ({@code --class io.siloreports.cli.Main}). Exit codes are decided here and only here: 0 done (report COMPLETED),
 * 1 failed (report FAILED; backfill: a chunk was skipped), 2 bad usage or a refused request, 3 the report job is not
 * PENDING (a job id runs once).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  public static final int DONE = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int NOT_PENDING = 3;

  private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

  static {
    for (Command c : List.of(new GenerateCommand(), new StreamCommand(), new ReportCommand(), new StatusCommand(),
        new ProduceCommand(), new MigrateCommand(), new BackfillCommand(), new ApiCommand(), new WorkerCommand())) {
      COMMANDS.put(c.name(), c);
    }
  }

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args)); // Spark leaves non-daemon threads behind: the exit code must end the JVM
  }

  /** Runs a command and returns its exit code. */
  public static int run(String[] args) {
    if (args.length == 0 || isHelp(args[0])) {
      System.out.print(usage());
      return args.length == 0 ? USAGE : DONE;
    }
    Command command = COMMANDS.get(args[0]);
    if (command == null) {
      System.err.println("unknown command '" + args[0] + "'\n" + usage());
      return USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.stream(rest).anyMatch(Main::isHelp)) {
      System.out.print(help(command));
      return DONE;
    }
    try {
      Settings settings = Settings.load(List.of(rest), command.flags(), System.getenv());
      settings.unknownKeys().forEach(k -> LOG.warn("setting {} is not a setting of silo-reports (a typo?); ignored", k));
      if (command.isJob()) {
        LOG.info("silo-reports {}: effective settings (secrets masked, with their origin):\n{}", command.name(),
            settings.describe());
      } else {
        LOG.debug("silo-reports {}: effective settings:\n{}", command.name(), settings.describe());
      }
      JobOutcome outcome = command.run(settings);
      if (!outcome.summary().isEmpty()) {
        System.out.println(outcome.summary());
      }
      return outcome.succeeded() ? DONE : FAILED;
    } catch (SiloReport.JobNotPendingException e) {
      System.err.println("silo-reports " + command.name() + ": " + e.getMessage());
      return NOT_PENDING;
    } catch (IllegalArgumentException e) {
      System.err.println("silo-reports " + command.name() + ": " + e.getMessage());
      return USAGE;
    } catch (SchemaMigrations.SchemaBehindException e) {
      LOG.error("silo-reports {}: {}", command.name(), e.getMessage()); // says what to run: no stack trace
      return FAILED;
    } catch (Exception e) {
      LOG.error("silo-reports {} failed: {}", command.name(), e.toString(), e);
      return FAILED;
    }
  }

  private static boolean isHelp(String arg) {
    return arg.equals("help") || arg.equals("--help") || arg.equals("-h");
  }

  static String usage() {
    StringBuilder sb = new StringBuilder(
        "usage: silo-reports <command> [--config FILE] [--conf key=value ...] [flags]   (<command> --help: its flags)\n\n"
            + "commands:\n");
    COMMANDS.values().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.summary())));
    sb.append("\nsettings (layered: defaults < --config file < SILO_REPORTS_<KEY> environment < flags):\n");
    for (Keys.Group g : Keys.groups()) {
      sb.append("  ").append(g.title()).append(":\n");
      for (Setting<?> s : g.settings()) {
        sb.append(String.format("    %-36s %s%n", s.key() + " (" + s.typeName() + ")",
            s.secret() ? "secret: from " + s.envName() : s.defaultText() == null ? "no default" : "default " + s.defaultText()));
      }
    }
    for (Keys.Family f : Keys.FAMILIES) {
      sb.append(String.format("  %-38s %s%n", f.prefix() + "*", f.doc().replace("`", "")));
    }
    return sb.toString();
  }

  static String help(Command command) {
    StringBuilder sb = new StringBuilder("silo-reports " + command.name() + ": " + command.summary() + "\n\nflags:\n");
    command.flags().forEach((flag, s) -> sb.append(String.format("  --%-22s %s%n      sets %s (%s%s; env %s)%n",
        flag, s.doc().replace("`", ""), s.key(), s.typeName(),
        s.defaultText() == null ? "" : ", default " + s.defaultText(), s.envName())));
    sb.append("  --config FILE             a properties file of settings (or SILO_REPORTS_CONFIG)\n");
    sb.append("  --conf key=value          any setting (silo-reports --help lists them)\n");
    return sb.toString();
  }
}
