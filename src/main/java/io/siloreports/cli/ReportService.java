package io.siloreports.cli;

import io.siloreports.api.ApiServer;
import io.siloreports.worker.ReportWorker;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@code api} command runs: the HTTP service and, unless {@code api.worker=false}, a worker beside it in the
 * same JVM. The two share only the job store; the service never depends on the worker, so each can run alone.
 */
public final class ReportService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);

  private final ApiServer server;
  private final ReportWorker worker;

  /** @param worker the worker to run beside the service, or null ({@code api.worker=false}) */
  ReportService(ApiServer server, ReportWorker worker) {
    this.server = server;
    this.worker = worker;
  }

  /** Starts serving, then the worker; returns the address the service listens on. */
  public InetSocketAddress start() {
    InetSocketAddress address = server.start();
    if (worker != null) {
      worker.start();
    }
    LOG.info("report service at {}/ with {}", server.url(), worker == null ? "no worker (api.worker=false)"
        : "its worker");
    return address;
  }

  /** The address the service listens on, as a URL. */
  public String url() {
    return server.url();
  }

  public ApiServer server() {
    return server;
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
    server.close();
  }
}
