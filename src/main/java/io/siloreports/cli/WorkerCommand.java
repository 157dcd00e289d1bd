package io.siloreports.cli;

import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.JobOutcome;
import io.siloreports.spark.SessionSource;
import io.siloreports.worker.ReportWorker;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/**
 * {@code worker}: takes PENDING report jobs and runs them through the configured submitter, until stopped. For
 * running the worker apart from the HTTP service ({@code api.worker=false} there); several may run at once.
 */
final class WorkerCommand extends Command {
  WorkerCommand() {
    super("worker", "take PENDING report jobs and run them (worker.submitter), until stopped", JOB,
        "submitter", Keys.WORKER_SUBMITTER,
        "max-concurrent", Keys.WORKER_MAX_CONCURRENT);
  }

  @Override
  JobOutcome run(Settings settings, SessionSource sessions) throws Exception {
    WorkerConfig config = WorkerConfig.from(settings);
    ReportJobStore jobs = Wiring.jobStore(config.jobStore(), config.migrateOnStart(), Clock.systemUTC());
    ReportWorker worker = Wiring.worker(config, jobs, Clock.systemUTC()).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "worker-shutdown"));
    stopped.await();
    return new Done(true, "");
  }
}
