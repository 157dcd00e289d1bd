package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * {@code api}: the report service (the page, the HTTP API, and by default the worker that runs the jobs) until
 * stopped (Ctrl-C, SIGTERM). Never starts Spark: each report runs in its own process.
 */
final class ApiCommand extends Command {
  ApiCommand() {
    super("api", "run the report service: the page with the Generate button, the HTTP API and the worker", JOB,
        "port", Keys.API_PORT,
        "bind", Keys.API_BIND,
        "worker", Keys.API_WORKER);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) throws Exception {
    ApiConfig config = ApiConfig.from(settings);
    ReportService server = Wiring.api(config, Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "api-shutdown"));
    server.start();
    System.out.println("report service: " + (config.publicUrl() != null ? config.publicUrl() : server.url())
        + "/  (Ctrl-C stops it)");
    stopped.await();
    return new Done(true, "");
  }
}
