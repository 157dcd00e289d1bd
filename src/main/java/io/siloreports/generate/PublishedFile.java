package io.siloreports.generate;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * A file that a streaming reader may be watching: written under a hidden temporary name (Spark's file
 * source skips names starting with "."), given its modification time, then renamed into place, so the
 * reader never sees it half written or with the wrong time.
 */
final class PublishedFile implements Closeable {

  private final Path target;
  private final Path temporary;
  private final BufferedWriter writer;
  private boolean published;

  PublishedFile(Path target) throws IOException {
    this.target = target;
    this.temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
    this.writer = new BufferedWriter(Files.newBufferedWriter(temporary, StandardCharsets.UTF_8), 1 << 16);
  }

  void write(CharSequence text) throws IOException {
    writer.append(text);
  }

  /** Closes the file, sets its modification time and moves it to its name in one rename. */
  void publish(Instant modified) throws IOException {
    writer.close();
    Files.setLastModifiedTime(temporary, FileTime.from(modified));
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    published = true;
  }

  Path target() {
    return target;
  }

  /** Removes the temporary file if it was not published (generation failed half way). */
  @Override
  public void close() throws IOException {
    if (!published) {
      writer.close();
      Files.deleteIfExists(temporary);
    }
  }
}
