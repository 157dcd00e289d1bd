package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.report.output.DownloadLinks;
import io.siloreports.report.output.LocalDownloadLinks;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.StoreQueries;
import io.siloreports.submit.ReportWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report service over the JDK's own HTTP server ({@code com.sun.net.httpserver}): no server library on the Spark
 * jobs' classpath, no Spark in this JVM, a start in well under a second. Serves the page at {@code /}, its OpenAPI
 * document at {@code /api/openapi.json}, and the endpoints of {@link ReportApi}; runs the {@link ReportWorker} when
 * given one. Every request is logged in one line (method, path without its query, status, time, token name),
 * never with a token or a link's signature.
 */
public final class ApiServer implements AutoCloseable {
  static final String NO_DELAY = "sun.net.httpserver.nodelay";
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** What the page needs to know; the rest it asks the API. */
  public record PageSettings(Duration pollInterval, Duration pollMax, int defaultDays) {}

  private final Router router = new Router();
  private final Tokens tokens;
  static {
    // The JDK's server leaves Nagle's algorithm on: a small answer written as headers then body waits for the
    // client's delayed ACK, ~40 ms on every keep-alive request (a page polling, a load balancer). Read once, when
    // the first server of the JVM starts.
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final ReportWorker worker;
  private final String page;

  public ApiServer(String bind, int port, int threadCount, String tokenSpec, ReportJobStore jobs, DownloadLinks links,
      LocalDownloadLinks localFiles, ProgressStore progress, StoreQueries queries, Duration maxCommitAge,
      PageSettings pageSettings, ReportWorker worker, Clock clock) throws IOException {
    this.tokens = new Tokens(tokenSpec);
    this.worker = worker;
    this.page = resource("/api/index.html")
        .replace("{{POLL_MS}}", Long.toString(pageSettings.pollInterval().toMillis()))
        .replace("{{POLL_MAX_MS}}", Long.toString(pageSettings.pollMax().toMillis()))
        .replace("{{DEFAULT_DAYS}}", Integer.toString(pageSettings.defaultDays()));
    String openApi = resource("/api/openapi.json");
    router.add("GET", "/", false, x -> x.text(200, "text/html; charset=utf-8", page));
    router.add("GET", "/api/openapi.json", false, x -> x.text(200, "application/json; charset=utf-8", openApi));
    new ReportApi(jobs, links, localFiles, progress, queries, maxCommitAge, clock).routes(router);
    this.server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    this.threads = Executors.newFixedThreadPool(threadCount, r -> {
      Thread t = new Thread(r, "api-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::dispatch);
  }

  /** Starts serving (and the worker); returns the address it listens on. */
  public InetSocketAddress start() {
    server.start();
    if (worker != null) {
      worker.start();
    }
    LOG.info("report service listening on {}/ ({} token(s); worker {})", url(), tokens.size(),
        worker == null ? "off" : "on");
    return server.getAddress();
  }

  /** The address it listens on, as a URL ({@code http://127.0.0.1:8080}); a wildcard bind shows as localhost. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
    return "http://" + host + ":" + a.getPort();
  }

  /** The routes, for the OpenAPI check. */
  java.util.List<Router.Route> routes() {
    return router.routes();
  }

  private void dispatch(HttpExchange http) {
    long t0 = System.nanoTime();
    String path = http.getRequestURI().getRawPath();
    Exchange x = new Exchange(http, Map.of());
    try {
      boolean[] wrongMethod = {false};
      Router.Match match = router.match(http.getRequestMethod(), path, wrongMethod);
      if (match == null) {
        throw new HttpError(wrongMethod[0] ? 405 : 404, wrongMethod[0]
            ? http.getRequestMethod() + " is not allowed on " + ReportApi.clip(path) : "no such endpoint");
      }
      x = new Exchange(http, decodeParams(match.params()));
      if (match.route().authenticated()) {
        x.user = tokens.nameOf(http.getRequestHeaders().getFirst("Authorization")).orElseThrow(() -> {
          http.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"silo-reports\"");
          return new HttpError(401, "a valid bearer token is required (Authorization: Bearer <token>)");
        });
      }
      match.route().handler().handle(x);
    } catch (HttpError e) {
      error(x, e.status, e.getMessage());
    } catch (Exception | OutOfMemoryError e) {
      LOG.error("{} {} failed: {}", http.getRequestMethod(), path, e.toString(), e);
      error(x, 500, "internal error (" + e.getClass().getSimpleName() + "); the service log has the details");
    } finally {
      LOG.info("{} {} -> {} in {} ms{}", http.getRequestMethod(), ReportApi.clip(path), x.status(),
          (System.nanoTime() - t0) / 1_000_000, x.user == null ? "" : " (" + x.user + ")");
      http.close();
    }
  }

  private static Map<String, String> decodeParams(Map<String, String> raw) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    raw.forEach((k, v) -> {
      try {
        out.put(k, java.net.URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest("the path is not valid URL encoding");
      }
    });
    return out;
  }

  private static void error(Exchange x, int status, String reason) {
    try {
      ObjectNode body = Exchange.JSON.createObjectNode();
      body.put("error", reason);
      body.put("status", status);
      x.json(status, body);
    } catch (IOException | IllegalStateException ignored) {
      // the client went away, or the answer had already started: nothing more to send
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.close();
    }
    server.stop(1);
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("report service stopped");
  }
}
