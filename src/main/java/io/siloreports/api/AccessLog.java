package io.siloreports.api;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The access log: one line per request (method, path without its query, status, time, token name, client address,
 * request id), on its own logger ({@code io.siloreports.api.AccessLog}) so it can be routed or silenced apart. Which
 * requests get a line at INFO is {@code api.access-log}: {@code all}; {@code errors} (4xx, 5xx and requests slower
 * than {@code api.access-log.slow}: the lines a person acts on; the rest at DEBUG); {@code off} (none, not even at
 * DEBUG). A 5xx is a WARN: its cause is already logged as an ERROR with the stack trace.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  /** Which requests are written at INFO. */
  enum Mode {
    ALL,
    ERRORS,
    OFF;

    static Mode of(String setting) {
      return valueOf(setting.trim().toUpperCase(Locale.ROOT));
    }
  }

  private final Mode mode;
  private final long slowMillis;

  AccessLog(Mode mode, Duration slow) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.slowMillis = Objects.requireNonNull(slow, "slow").toMillis();
  }

  /** The level of a request's line; null: no line. Pure, for the tests. */
  Level levelOf(int status, long millis) {
    if (mode == Mode.OFF) {
      return null;
    }
    if (status >= 500) {
      return Level.WARN;
    }
    boolean actionable = status >= 400 || millis >= slowMillis;
    return mode == Mode.ALL || actionable ? Level.INFO : Level.DEBUG;
  }

  void record(String method, String path, int status, long millis, String user, String client, String requestId) {
    Level level = levelOf(status, millis);
    if (level == null || !LOG.isEnabledForLevel(level)) {
      return;
    }
    LOG.atLevel(level).log("{} {} -> {} in {} ms{} from {} request {}", method, HttpError.clip(path), status, millis,
        user == null ? "" : " (" + user + ")", client, requestId);
  }
}
