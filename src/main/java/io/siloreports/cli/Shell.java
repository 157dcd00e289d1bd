package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.secrets.SecretReferences;
import io.siloreports.spark.SessionSource;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * silo-reports from spark-shell: {@code spark-shell --jars silo-reports-<version>-shaded.jar}, then
 *
 * <pre>
 * io.siloreports.cli.Shell.run(spark, "report", "--config", "conf/local.properties", "--job-id", "shell-1")
 * io.siloreports.cli.Shell.run(spark, "status", "--config", "conf/local.properties", "--job-id", "shell-1")
 * </pre>
 *
 * Each call runs one command with the shell's own SparkSession, leaves its settings as they were (the command's
 * {@code spark.*} settings are not applied to it), never stops it and never exits: it returns the outcome
 * ({@code succeeded()}, {@code summary()}), and a bad flag or a refused request is an exception.
 */
public final class Shell {
  private Shell() {}

  public static JobOutcome run(SparkSession spark, String command, String... args) throws Exception {
    Command c = Main.command(command);
    Settings settings = Settings.load(List.of(args), c.flags(), System.getenv());
    if (c.usesDatabases()) {
      settings = SecretReferences.resolve(settings);
    }
    JobOutcome outcome = c.run(settings, SessionSource.given(spark));
    if (!outcome.summary().isEmpty()) {
      System.out.println(outcome.summary());
    }
    return outcome;
  }

  /** The same with the command and its flags in one list, as on the command line. */
  public static JobOutcome run(SparkSession spark, List<String> commandAndArgs) throws Exception {
    return run(spark, commandAndArgs.get(0),
        Arrays.copyOfRange(commandAndArgs.toArray(String[]::new), 1, commandAndArgs.size()));
  }
}
