package io.siloreports.output;

import io.siloreports.reportjob.ReportOutput;
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
    Path target = within(key);
    Files.createDirectories(target.getParent());
    try {
      Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(localFile, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return new Stored(key, target.toUri().toString());
  }

  @Override
  public java.util.Optional<byte[]> read(String storedKey, long maxBytes) throws IOException {
    Path target = within(storedKey);
    return Files.size(target) > maxBytes ? java.util.Optional.empty() : java.util.Optional.of(Files.readAllBytes(target));
  }

  private Path within(String storedKey) {
    Path target = outputDir.resolve(storedKey).normalize();
    if (!target.startsWith(outputDir)) {
      throw new IllegalArgumentException("report key escapes the output directory: " + storedKey);
    }
    return target;
  }

  @Override
  public boolean delete(String storedKey) throws IOException {
    Path target = within(storedKey);
    Files.deleteIfExists(target);
    Path dir = target.getParent();
    try (var left = Files.list(dir)) {
      if (left.findAny().isEmpty()) {
        Files.delete(dir); // reports/<jobId>/ held only this report
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // already gone
    }
    return true;
  }
}
