package io.siloreports.worker.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.jobstore.ReportJob;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

  /**
   * The run's environment is what the settings give it and nothing of this JVM's: Spark's launcher would have copied
   * all of it (its createBuilder starts from a ProcessBuilder's copy of the parent's environment). A spark-submit
   * that writes its initial environment (/proc/<pid>/environ, before a shell adds PWD or SHLVL) and its arguments
   * shows it.
   */
  @Test
  void aRunGetsOnlyTheEnvironmentItsSettingsGiveAndSparkSubmitsArguments() throws Exception {
    Path home = dir.resolve("spark-home");
    Path submit = Files.createDirectories(home.resolve("bin")).resolve("spark-submit");
    Files.writeString(submit, "#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ | sed 's/=.*//' | sort\n"
        + "echo ARGS \"$*\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "SILO_REPORTS_JOBSTORE_PASSWORD", "pw");
    Set<String> inheritedHere = new TreeSet<>(System.getenv().keySet());
    inheritedHere.removeAll(env.keySet());
    assertFalse(inheritedHere.isEmpty(), "this JVM has variables the run must not get: " + inheritedHere);
    LocalSubmitter local = new LocalSubmitter(new LocalSubmitter.Settings(home.toString(), "app.jar", "local[1]",
        "-Xmx256m", dir.resolve("logs"), List.of("--config", "c.properties"), env));
    ReportJob job = new ReportJob("r-env-1", io.siloreports.jobstore.JobStatus.PENDING, "silo_hourly", "{}", null,
        null, null, null, null, null, null, null, null, null, ReportJob.Trigger.ADHOC, null, null, null, null);
    Submitter.Run run = local.submit(job);
    assertEquals(0, run.exitCode().get(30, TimeUnit.SECONDS));
    List<String> out = Files.readAllLines(dir.resolve("logs/r-env-1.log"), StandardCharsets.UTF_8);
    assertEquals(new TreeSet<>(List.of("PATH", "SILO_REPORTS_JOBSTORE_PASSWORD", LocalSubmitter.CLASSPATH_ENV,
        "SPARK_SUBMIT_OPTS")), new TreeSet<>(out.subList(0, out.size() - 1)));
    assertEquals("ARGS --master local[1] --name silo-reports-report-r-env-1 --class io.siloreports.cli.Main app.jar"
        + " report --config c.properties --job-id r-env-1", out.get(out.size() - 1));
  }
}
