package io.siloreports.cli;

import io.siloreports.config.Setting;
import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One command of the jar ({@code stream}, {@code report}, ...): its name, its flags and what it runs. */
abstract class Command {
  /** Logs its effective settings at start. */
  static final boolean JOB = true;
  /** A small console command. */
  static final boolean CONSOLE = false;

  private final String name;
  private final String summary;
  private final boolean job;
  private final Map<String, Setting<?>> flags;

  /**
   * @param job jobs log their effective settings at start; the small console commands do not
   * @param flags pairs of a flag name (without {@code --}) and the setting it sets, in help order
   */
  Command(String name, String summary, boolean job, Object... flags) {
    this.name = name;
    this.summary = summary;
    this.job = job;
    Map<String, Setting<?>> f = new LinkedHashMap<>();
    for (int i = 0; i < flags.length; i += 2) {
      f.put((String) flags[i], (Setting<?>) flags[i + 1]);
    }
    this.flags = Collections.unmodifiableMap(f);
  }

  final String name() {
    return name;
  }

  /** One line for the command list. */
  final String summary() {
    return summary;
  }

  final boolean isJob() {
    return job;
  }

  /** Whether it opens a database, so passwords by reference must be read first (sample data and Kafka do not). */
  boolean usesDatabases() {
    return true;
  }

  /** The command's own flags (without {@code --}) and the setting each one sets, in help order. */
  final Map<String, Setting<?>> flags() {
    return flags;
  }

  abstract JobOutcome run(Settings settings, SessionSource sessions) throws Exception;

  /** The outcome of a command that only prints: done, or failed with one line. */
  record Done(boolean succeeded, String summary) implements JobOutcome {}
}
