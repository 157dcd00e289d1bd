package io.siloreports.testing;

import io.siloreports.cli.StreamConfig;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import java.util.Map;

/** The validation rules a job gets from the declared defaults alone. */
public final class TestRules {
  public static final ValidationRules DEFAULTS = StreamConfig.from(Settings.of(Map.of())).rules();

  private TestRules() {}
}
