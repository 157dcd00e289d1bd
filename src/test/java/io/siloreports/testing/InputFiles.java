package io.siloreports.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Writes raw JSON-lines input files the way producers drop them, with strictly increasing mtimes. */
public final class InputFiles {
  private static final AtomicLong CLOCK = new AtomicLong(1_700_000_000_000L);

  private InputFiles() {}

  public static Path write(Path dir, String name, List<String> lines) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + name + ".tmp");
    Files.write(tmp, lines);
    // Spark's file source takes files oldest first: make the order explicit, one second apart.
    Files.setLastModifiedTime(tmp, FileTime.fromMillis(CLOCK.addAndGet(1000)));
    return Files.move(tmp, dir.resolve(name));
  }

  /** The same for a file's exact bytes (line ends, compression and encodings as given). */
  public static Path writeBytes(Path dir, String name, byte[] bytes) throws IOException {
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + name + ".tmp");
    Files.write(tmp, bytes);
    Files.setLastModifiedTime(tmp, FileTime.fromMillis(CLOCK.addAndGet(1000)));
    return Files.move(tmp, dir.resolve(name));
  }

  /** Gives {@code file} the next modification time of the sequence (a file renamed into place later). */
  public static void touch(Path file) throws IOException {
    Files.setLastModifiedTime(file, FileTime.fromMillis(CLOCK.addAndGet(1000)));
  }
}
