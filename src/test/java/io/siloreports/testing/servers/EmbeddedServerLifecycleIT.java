package io.siloreports.testing.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What every embedded server promises, checked on the cheapest one (S3Proxy runs in this JVM and starts in
 * well under a second): start once, close any number of times, leave no port or directory behind.
 */
class EmbeddedServerLifecycleIT {

  @Test
  void closeIsIdempotentAndReleasesPortAndWorkDirectory() {
    // Its own bucket name: the shared S3 server owns the default bucket's S3A client cache entry.
    EmbeddedS3 s3 = new EmbeddedS3(0, "lifecycle-check");
    assertSameInstance(s3, s3.start());
    assertSameInstance(s3, s3.start()); // a second start is a no-op
    int port = s3.port();
    Path workDir = s3.workDir();
    assertTrue(s3.isRunning());
    assertTrue(accepts(port));
    assertTrue(Files.isDirectory(workDir));
    assertEquals(
        Long.toString(ProcessHandle.current().pid()), readString(workDir.resolve(EmbeddedServer.OWNER_FILE)));

    s3.close();
    s3.close();
    assertFalse(s3.isRunning());
    assertFalse(accepts(port), "port " + port + " still accepts connections after close");
    assertFalse(Files.exists(workDir), workDir + " still exists after close");
    assertThrows(IllegalStateException.class, s3::start);
    assertThrows(IllegalStateException.class, s3::endpoint);
  }

  @Test
  void aTakenFixedPortFailsWithAReadableMessage() {
    try (EmbeddedS3 first = new EmbeddedS3(0, "port-owner").start()) {
      EmbeddedS3 second = new EmbeddedS3(first.port(), "port-taker");
      EmbeddedServer.ServerStartException e = assertThrows(EmbeddedServer.ServerStartException.class, second::start);
      assertTrue(e.getMessage().contains("port " + first.port()), e.getMessage());
      assertTrue(e.getMessage().contains("already in use"), e.getMessage());
      assertFalse(second.isRunning());
      assertFalse(Files.exists(second.workDir()), "a failed start removes its work directory");
    }
  }

  private static void assertSameInstance(Object expected, Object actual) {
    assertTrue(expected == actual, "start() returns the server itself");
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
