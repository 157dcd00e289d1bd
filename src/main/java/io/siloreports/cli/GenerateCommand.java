package io.siloreports.cli;

import io.siloreports.config.Settings;
import io.siloreports.generate.GeneratedManifest;
import io.siloreports.generate.GeneratorSpec;
import io.siloreports.generate.SampleDataGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** The {@code generate} command: sample input files under {@code input.dir} plus a manifest of what they hold. */
final class GenerateCommand {
  static final Map<String, String> FLAGS =
      Map.of(
          "out", "input.dir",
          "silos", "generate.silos",
          "days", "generate.days",
          "end", "generate.end",
          "accounts", "generate.accounts",
          "seed", "generate.seed",
          "bad-per-kind", "generate.bad-per-kind",
          "late-per-pipeline", "generate.late-per-pipeline");

  private GenerateCommand() {}

  static int run(String[] args) throws Exception {
    Settings s = Settings.load(List.of(args), FLAGS, System.getenv());
    GeneratorSpec spec =
        new GeneratorSpec(
            s.getInt("generate.silos", GeneratorSpec.DEFAULT_SILOS),
            s.getInt("generate.days", GeneratorSpec.DEFAULT_DAYS),
            s.findInstant("generate.end").orElse(Instant.now().truncatedTo(ChronoUnit.HOURS)),
            s.getInt("generate.accounts", GeneratorSpec.DEFAULT_ACCOUNTS),
            s.getLong("generate.seed", GeneratorSpec.DEFAULT_SEED),
            s.getInt("generate.bad-per-kind", GeneratorSpec.DEFAULT_BAD_PER_KIND),
            s.getInt("generate.late-per-pipeline", GeneratorSpec.DEFAULT_LATE_PER_PIPELINE));
    Path out = Path.of(s.get("input.dir"));
    GeneratedManifest m = SampleDataGenerator.generate(spec, out);
    Path manifest = out.resolve("manifest.json");
    m.writeJson(manifest);
    System.out.printf("generated %d readings (%d silos) and %d events (%d accounts), %s .. %s, under %s%n",
        m.validReadings(), m.silos(), m.validEvents(), m.accounts(), m.start(), m.end(), out.toAbsolutePath());
    System.out.printf("plus bad records and late records per pipeline as listed in %s%n", manifest);
    return 0;
  }
}
