package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.generate.GeneratorSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** What the {@code generate} command writes, and where ({@code input.dir}). */
public record GenerateConfig(GeneratorSpec spec, Path out) {

  public static GenerateConfig from(Settings s) {
    return new GenerateConfig(
        new GeneratorSpec(
            s.get(Keys.GENERATE_SILOS),
            s.get(Keys.GENERATE_DAYS),
            s.find(Keys.GENERATE_END).orElse(Instant.now().truncatedTo(ChronoUnit.HOURS)),
            s.get(Keys.GENERATE_ACCOUNTS),
            s.get(Keys.GENERATE_SEED),
            s.get(Keys.GENERATE_BAD_PER_KIND),
            s.get(Keys.GENERATE_LATE_PER_PIPELINE)),
        Path.of(s.get(Keys.INPUT_DIR)));
  }
}
