package io.siloreports.testing;

import io.siloreports.stream.StreamJob;
import java.util.concurrent.CompletableFuture;

/** A stream job running on another thread, for the tests that stop servers or fill disks under it. */
public final class BackgroundStream {
  private BackgroundStream() {}

  /** Runs {@code job} on a pool thread; the future completes when it ends and fails with what stopped it. */
  public static CompletableFuture<Void> running(StreamJob job) {
    return CompletableFuture.runAsync(() -> {
      try {
        job.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
