package io.siloreports.jobstore;

import io.siloreports.config.Settings;
import io.siloreports.db.Jdbc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** Opens the report job store named by {@code jobstore.url}. */
public final class JobStores {
  private JobStores() {}

  /** The {@code jobstore.*} connection settings. */
  public static Jdbc jdbc(Settings s) {
    return new Jdbc(s.get("jobstore.url"), s.get("jobstore.user", null), s.get("jobstore.password", null));
  }

  public static ReportJobStore open(Jdbc db) {
    return open(db.url(), db.user(), db.password());
  }

  public static ReportJobStore open(String jdbcUrl, String user, String password) {
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      int q = file.indexOf('?');
      Path parent = Path.of(q >= 0 ? file.substring(0, q) : file).toAbsolutePath().getParent();
      try {
        if (parent != null) {
          Files.createDirectories(parent); // the embedded default lives in a fresh data directory
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the directory of the job store " + jdbcUrl, e);
      }
    }
    return new JdbcReportJobStore(jdbcUrl, user, password, Clock.systemUTC());
  }
}
