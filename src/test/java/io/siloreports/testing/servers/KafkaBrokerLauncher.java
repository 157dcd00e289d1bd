package io.siloreports.testing.servers;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The main class of the Kafka broker child JVM ({@link EmbeddedKafka}): runs another main class (Kafka's
 * {@code kafka.Kafka} or {@code kafka.tools.StorageTool}) and exits when the parent JVM goes away.
 *
 * <p>The parent keeps the child's stdin open and never writes to it; when the parent dies, even by kill -9,
 * the OS closes the pipe, this reads end-of-file and calls System.exit, which runs Kafka's own shutdown hook.
 * So a crashed test run does not leave a broker behind.
 *
 * <p>Runs on the broker's classpath (Kafka 3.9, Scala 2.13): it must use the JDK only.
 */
public final class KafkaBrokerLauncher {
  private KafkaBrokerLauncher() {}

  /** @param args the main class to run, then its arguments */
  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("usage: KafkaBrokerLauncher <main class> [args...]");
      System.exit(2);
    }
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // The parent never writes; anything read is ignored.
                }
              } catch (IOException closed) {
                // Same as end of file.
              }
              System.err.println("KafkaBrokerLauncher: parent process is gone (stdin closed), shutting down");
              System.exit(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0])
          .getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
