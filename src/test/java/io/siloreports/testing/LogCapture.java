package io.siloreports.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger (and its children) writes while a test runs, as a person reads them in the log: for tests that
 * show a thing was attempted, waited and logged with its reason, not only its end state. Closing it detaches it.
 */
public final class LogCapture implements AutoCloseable {
  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final String loggerName;
  private final Appender appender;

  private LogCapture(String loggerName) {
    this.loggerName = loggerName;
    this.appender = new Appender("capture-" + loggerName, lines);
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration config = ctx.getConfiguration();
    LoggerConfig logger = config.getLoggerConfig(loggerName);
    if (!logger.getName().equals(loggerName)) { // no config of its own yet: one that still passes lines upwards
      logger = new LoggerConfig(loggerName, null, true);
      config.addLogger(loggerName, logger);
    }
    logger.addAppender(appender, null, null);
    ctx.updateLoggers();
  }

  /** One line: level first ({@code WARN <message>}), and the log context (MDC) it was written in. */
  public record Line(String text, Map<String, String> context) {}

  /** Starts capturing what {@code type}'s logger writes. */
  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /** Starts capturing what the logger {@code name} (a package: every class under it) writes. */
  public static LogCapture of(String name) {
    return new LogCapture(name);
  }

  /** The lines so far, level first ({@code WARN <message>}). */
  public List<String> lines() {
    return lines.stream().map(Line::text).toList();
  }

  /** The lines so far that contain every one of {@code parts}. */
  public List<String> linesWith(String... parts) {
    return lines().stream().filter(l -> java.util.Arrays.stream(parts).allMatch(l::contains)).toList();
  }

  /** The lines so far written with {@code key} = {@code value} in their log context. */
  public List<String> linesIn(String key, String value) {
    return lines.stream().filter(l -> value.equals(l.context().get(key))).map(Line::text).toList();
  }

  @Override
  public void close() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getLoggerConfig(loggerName).removeAppender(appender.getName());
    ctx.updateLoggers();
    appender.stop();
  }

  private static final class Appender extends AbstractAppender {
    private final List<Line> lines;

    Appender(String name, List<Line> lines) {
      super(name, null, null, true, Property.EMPTY_ARRAY);
      this.lines = lines;
    }

    @Override
    public void append(LogEvent event) {
      lines.add(new Line(event.getLevel() + " " + event.getMessage().getFormattedMessage(),
          java.util.Collections.unmodifiableMap(new java.util.HashMap<>(event.getContextData().toMap()))));
    }
  }
}
