package io.siloreports.testing.servers;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.service.Service;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * The main class of the mini YARN cluster's child JVM ({@link MiniYarn}), run through {@link KafkaBrokerLauncher} so
 * it exits when the test JVM goes away: Hadoop's own {@code MiniYARNCluster} (one ResourceManager, one NodeManager)
 * started as Spark's own YARN tests start it (apache/spark, resource-managers/yarn/src/test/scala/org/apache/spark/
 * deploy/yarn/BaseYarnClusterSuite.scala: the disk check off, the ResourceManager's bound port awaited), with the FIFO
 * scheduler instead of their capacity-scheduler queue settings; its configuration is written to
 * {@code <conf dir>/yarn-site.xml} once the ResourceManager has its real ports (the file appears whole, by rename),
 * then it runs until stopped.
 *
 * <p>It runs on the minicluster's classpath (Hadoop 3.4.1) and compiles against the Hadoop client API on the
 * project's test classpath (3.3.4): it uses only {@code Configuration} and {@code Service}, which both lines share,
 * and reaches {@code MiniYARNCluster} (not on the project's classpath) by name.
 */
public final class MiniYarnProcess {
  static final String CONFIG_FILE = "yarn-site.xml";
  private static final String MINI_YARN_CLUSTER = "org.apache.hadoop.yarn.server.MiniYARNCluster";

  private MiniYarnProcess() {}

  /** @param args the conf directory to write {@value #CONFIG_FILE} into, then the NodeManager's memory in MB */
  public static void main(String[] args) throws Exception {
    Path confDir = Path.of(args[0]);
    Configuration conf = new YarnConfiguration();
    // The FIFO scheduler needs no queue configuration (the capacity scheduler's file is not in the minicluster jar).
    conf.set("yarn.resourcemanager.scheduler.class",
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    conf.set("yarn.resourcemanager.hostname", "127.0.0.1");
    conf.set("yarn.nodemanager.resource.memory-mb", args[1]);
    conf.set("yarn.nodemanager.resource.cpu-vcores", "8");
    conf.set("yarn.scheduler.minimum-allocation-mb", "128");
    // The JVMs in containers reserve more virtual and resident memory than their heaps: not what is tested here.
    conf.set("yarn.nodemanager.pmem-check-enabled", "false");
    conf.set("yarn.nodemanager.vmem-check-enabled", "false");
    // A nearly full disk on a developer's machine must not mark the only NodeManager unhealthy.
    conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
    // Killed containers go at once (the default waits 250 ms after SIGTERM; tests kill executors on purpose).
    conf.set("yarn.nodemanager.sleep-delay-before-sigkill.ms", "250");

    Service cluster = (Service) Class.forName(MINI_YARN_CLUSTER)
        .getConstructor(String.class, int.class, int.class, int.class)
        .newInstance("silo-reports", 1, 1, 1);
    cluster.init(conf);
    cluster.start();
    Configuration running = cluster.getConfig();
    // MiniYARNCluster.start() may return before the ResourceManager put its bound port into the configuration.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (running.get(YarnConfiguration.RM_ADDRESS, ":0").endsWith(":0")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the ResourceManager did not publish its address within 30 s");
      }
      Thread.sleep(100);
    }
    Files.createDirectories(confDir);
    Path tmp = confDir.resolve(CONFIG_FILE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      running.writeXml(out);
    }
    Files.move(tmp, confDir.resolve(CONFIG_FILE), StandardCopyOption.ATOMIC_MOVE);
    System.err.println("MiniYarnProcess: ResourceManager at " + running.get(YarnConfiguration.RM_ADDRESS)
        + ", web " + running.get(YarnConfiguration.RM_WEBAPP_ADDRESS));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "stop mini YARN"));
    Thread.currentThread().join(); // until the launcher's watchdog or a signal ends the JVM
  }
}
