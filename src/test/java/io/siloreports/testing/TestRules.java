package io.siloreports.testing;

import io.siloreports.cli.StreamConfig;
import io.siloreports.config.Settings;
import io.siloreports.ingest.ValidationRules;
import io.siloreports.model.ProgressRule;
import java.util.Map;

/** The validation rules and lateness a job gets from the declared defaults alone. */
public final class TestRules {
  public static final ValidationRules DEFAULTS = StreamConfig.from(Settings.of(Map.of())).rules();
  /** Hours final 30 minutes after their end, closed for revision 7 days after. */
  public static final ProgressRule.Lateness LATENESS = StreamConfig.from(Settings.of(Map.of())).lateness();

  private TestRules() {}
}
