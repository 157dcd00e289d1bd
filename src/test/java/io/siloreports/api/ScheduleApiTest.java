package io.siloreports.api;

import io.siloreports.testing.Profiles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** {@link ScheduleApiContract} on the embedded default job store, SQLite. */
class ScheduleApiTest extends ScheduleApiContract {
  @TempDir static Path dir;

  @Override
  Map<String, String> settings() {
    return Profiles.embedded(dir);
  }
}
