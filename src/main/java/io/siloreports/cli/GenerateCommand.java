package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.generate.GeneratedManifest;
import io.siloreports.generate.SampleDataGenerator;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.nio.file.Path;

/** {@code generate}: sample input files under {@code input.dir} plus a manifest of what they hold. */
final class GenerateCommand extends Command {
  GenerateCommand() {
    super("generate",
        "write sample JSON-lines input (--silos 6 --days 20 --end <instant> --accounts 4 --seed 42)",
        CONSOLE,
        "out", Keys.INPUT_DIR,
        "silos", Keys.GENERATE_SILOS,
        "days", Keys.GENERATE_DAYS,
        "end", Keys.GENERATE_END,
        "accounts", Keys.GENERATE_ACCOUNTS,
        "seed", Keys.GENERATE_SEED,
        "bad-per-kind", Keys.GENERATE_BAD_PER_KIND,
        "late-per-pipeline", Keys.GENERATE_LATE_PER_PIPELINE);
  }

  @Override
  boolean usesDatabases() {
    return false;
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) throws Exception {
    GenerateConfig config = GenerateConfig.from(settings);
    GeneratedManifest m = SampleDataGenerator.generate(config.spec(), config.out());
    Path manifest = config.out().resolve("manifest.json");
    m.writeJson(manifest);
    return new Done(true, String.format(
        "generated %d readings (%d silos) and %d events (%d accounts), %s .. %s, under %s%n"
            + "plus bad records and late records per pipeline as listed in %s",
        m.validReadings(), m.silos(), m.validEvents(), m.accounts(), m.start(), m.end(),
        config.out().toAbsolutePath(), manifest));
  }
}
