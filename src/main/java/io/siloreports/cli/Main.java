package io.siloreports.cli;

import io.siloreports.api.Tokens;
import io.siloreports.config.Keys;
import io.siloreports.config.Setting;
import io.siloreports.config.Settings;
import io.siloreports.db.SchemaMigrations;
import io.siloreports.model.JobOutcome;
import io.siloreports.reportjob.JobNotPendingException;
import io.siloreports.secrets.SecretReferences;
import io.siloreports.spark.SessionSource;
import io.siloreports.spark.SparkSessions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkUserAppException;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of every command in the jar: {@code Main <command> [flags]}, also for spark-submit
 * ({@code --class io.siloreports.cli.Main}). Exit codes are decided here and only here: 0 done (report COMPLETED),
 * 1 failed (report FAILED; backfill: a chunk was skipped), 2 bad usage or a refused request, 3 the report job is not
 * PENDING (a job id runs once).
 *
 * <p>How the code leaves the JVM depends on who started it. Started by {@code java} (jobs/silo-reports), {@code main}
 * ends with {@code System.exit(code)}: Spark leaves non-daemon threads behind. Started by spark-submit or by YARN's
 * ApplicationMaster (cluster mode), the JVM is Spark's: {@code main} stops the session and returns normally when the
 * command succeeded, and throws {@code SparkUserAppException(code)} when it did not, which spark-submit turns into its
 * own exit code and the ApplicationMaster into a FAILED application with that code (never a second attempt caused by
 * an exit before the AM reported). {@link Shell} runs commands inside spark-shell and returns their outcome.
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
        new ProduceCommand(), new MigrateCommand(), new BackfillCommand(), new ApiCommand(), new WorkerCommand(),
        new BucketsCommand(), new RetentionCommand())) {
      COMMANDS.put(c.name(), c);
    }
  }

  private Main() {}

  public static void main(String[] args) throws SparkUserAppException {
    SparkSession[] created = new SparkSession[1];
    int code = run(args, (appName, sparkConf) -> created[0] = SparkSessions.create(appName, sparkConf));
    if (!launchedBySpark()) {
      System.exit(code); // Spark leaves non-daemon threads behind: the exit code must end the JVM
    }
    if (created[0] != null) {
      created[0].stop(); // in client mode nothing else would, and the driver's JVM would linger
    }
    if (code != DONE) {
      throw new SparkUserAppException(code);
    }
  }

  /** True under spark-submit or a YARN ApplicationMaster, which set the deploy mode before calling {@code main}. */
  static boolean launchedBySpark() {
    return System.getProperty("spark.submit.deployMode") != null;
  }

  /** Runs a command with its own SparkSession (when it needs one) and returns its exit code. */
  public static int run(String[] args) {
    return run(args, SparkSessions::create);
  }

  /** Runs a command, its SparkSession from {@code sessions}, and returns its exit code. */
  static int run(String[] args, SessionSource sessions) {
    if (args.length == 2 && isHelp(args[0]) && args[1].equals("settings-table")) {
      System.out.print(Keys.markdownTable()); // the table of docs/configuration.md
      return DONE;
    }
    if (args.length >= 1 && args[0].equals("token")) {
      return newToken(args);
    }
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
      JobOutcome outcome = command.run(settings(command, rest), sessions);
      if (!outcome.summary().isEmpty()) {
        System.out.println(outcome.summary());
      }
      return outcome.succeeded() ? DONE : FAILED;
    } catch (JobNotPendingException e) {
      System.err.println("silo-reports " + command.name() + ": " + e.getMessage());
      return NOT_PENDING;
    } catch (IllegalArgumentException e) {
      System.err.println("silo-reports " + command.name() + ": " + e.getMessage());
      return USAGE;
    } catch (SchemaMigrations.SchemaBehindException e) {
      LOG.error("silo-reports {}: {}", command.name(), e.getMessage()); // says what to run: no stack trace
      return FAILED;
    } catch (Exception | LinkageError | OutOfMemoryError e) {
      // A LinkageError is a jar that meets other versions of its libraries (a cluster's): say so, exit 1.
      LOG.error("silo-reports {} failed: {}", command.name(), e.toString(), e);
      return FAILED;
    }
  }

  /**
   * The settings of {@code command} from its flags {@code rest}, the environment and the config file, secrets by
   * reference resolved; logged (secrets masked) for a job. The warm runner loads each report's the same way.
   */
  static Settings settings(Command command, String[] rest) throws java.io.IOException {
    Settings settings = Settings.load(List.of(rest), command.flags(), System.getenv());
    if (command.usesDatabases()) {
      settings = SecretReferences.resolve(settings);
    }
    settings.unknownKeys().forEach(k -> LOG.warn("setting {} is not a setting of silo-reports (a typo?); ignored", k));
    if (command.isJob()) {
      LOG.info("silo-reports {}: effective settings (secrets masked, with their origin):\n{}", command.name(),
          settings.describe());
    } else {
      LOG.debug("silo-reports {}: effective settings:\n{}", command.name(), settings.describe());
    }
    return settings;
  }

  /** {@code token new <name>}: a fresh bearer token, and the api.tokens entry that holds only its hash. */
  private static int newToken(String[] args) {
    if (args.length != 3 || !args[1].equals("new") || !args[2].matches("[A-Za-z0-9._@-]{1,64}")) {
      System.err.println("usage: silo-reports token new <name>   (name: 1-64 of [A-Za-z0-9._@-])");
      return USAGE;
    }
    String token = Tokens.newToken();
    System.out.println("token (give it to " + args[2] + "; it is shown once): " + token);
    System.out.println("api.tokens entry (holds only its SHA-256): " + Tokens.hashedEntry(args[2], token));
    return DONE;
  }

  /** The command named {@code name}, for {@link Shell}. */
  static Command command(String name) {
    Command c = COMMANDS.get(name);
    if (c == null) {
      throw new IllegalArgumentException("unknown command '" + name + "'\n" + usage());
    }
    return c;
  }

  private static boolean isHelp(String arg) {
    return arg.equals("help") || arg.equals("--help") || arg.equals("-h");
  }

  static String usage() {
    StringBuilder sb = new StringBuilder(
        "usage: silo-reports <command> [--config FILE] [--conf key=value ...] [flags]   (<command> --help: its flags)\n\n"
            + "commands:\n");
    COMMANDS.values().forEach(c -> sb.append(String.format("  %-10s %s%n", c.name(), c.summary())));
    sb.append(String.format("  %-10s %s%n", "token new", "prints a fresh bearer token and its api.tokens entry"));
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
