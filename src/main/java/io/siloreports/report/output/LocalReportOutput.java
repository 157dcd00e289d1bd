package io.siloreports.report.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Reports in a local directory: {@code <outputDir>/<key>}, handed out as a file: URL. */
public final class LocalReportOutput implements ReportOutput {
  private final Path outputDir;

  public LocalReportOutput(Path outputDir) {
    this.outputDir = outputDir.toAbsolutePath();
  }

  @Override
  public Stored store(Path localFile, String key) throws IOException {
    Path target = outputDir.resolve(key).normalize();
    if (!target.startsWith(outputDir)) {
      throw new IllegalArgumentException("report key escapes the output directory: " + key);
    }
    Files.createDirectories(target.getParent());
    try {
      Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return new Stored(key, target.toUri().toString());
  }
}
