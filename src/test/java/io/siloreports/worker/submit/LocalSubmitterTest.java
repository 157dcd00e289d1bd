package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local run as its reference names it: alive or not, and stopped with what it started when its job timed out. */
class LocalSubmitterTest {
  @TempDir Path dir;

  @Test
  void aTimedOutRunIsStoppedWithTheProcessesItStarted() throws Exception {
    LocalSubmitter local = new LocalSubmitter(new LocalSubmitter.Settings("spark-home", "app.jar", "local[1]", "",
        dir, List.of(), Map.of()));
    // A shell that started a child, as spark-submit starts the driver's JVM.
    Process run = new ProcessBuilder("sh", "-c", "sleep 300 & wait").start();
    Thread.sleep(200);
    List<ProcessHandle> children = run.descendants().toList();
    assertEquals(1, children.size(), "the shell's child");
    String ref = "local pid " + run.pid() + "@" + InetAddress.getLocalHost().getHostName() + ", log x.log";
    assertEquals(Optional.of(true), local.isAlive(ref));

    assertTrue(local.cancel(ref));
    assertTrue(run.waitFor(10, TimeUnit.SECONDS), "the run stopped");
    assertTrue(children.get(0).onExit().get(10, TimeUnit.SECONDS) != null && !children.get(0).isAlive(),
        "and the process it started");
    assertEquals(Optional.of(false), local.isAlive(ref));
    assertFalse(local.cancel(ref), "nothing left to stop");
    assertFalse(local.cancel("local pid " + run.pid() + "@another-host, log x.log"), "another machine's run");
    assertFalse(local.cancel("emr j-1 step s-2"));
  }
}
