package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.StoreQueries;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report service over the JDK's own HTTP server ({@code com.sun.net.httpserver}): no server library on the Spark
 * jobs' classpath, no Spark in this JVM, a start in well under a second. Serves the page at {@code /}, its OpenAPI
 * document at {@code /api/openapi.json}, and the endpoints of {@link ReportApi}, {@link DataApi} and {@link HealthApi}.
 * Every request gets an id ({@link #REQUEST_ID_HEADER}: the client's when well formed, else a new one), in the log
 * context of its lines and in its answer; the {@link AccessLog} writes its line (never a token or a link's signature).
 * It runs no worker: the composition root starts one beside it when configured to.
 */
public final class ApiServer implements AutoCloseable {
  static final String NO_DELAY = "sun.net.httpserver.nodelay";
  /** A request's id: kept from the request when well formed, else made up; always in the answer. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** What the page needs to know; the rest it asks the API. */
  public record PageSettings(Duration pollInterval, Duration pollMax, int defaultDays) {}

  private final Router router = new Router();
  private final Tokens tokens;
  private final AccessLog accessLog;
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
  private final String page;

  private ApiServer(Builder b) throws IOException {
    this.tokens = new Tokens(Objects.requireNonNull(b.tokenSpec, "tokens"));
    this.accessLog = new AccessLog(AccessLog.Mode.of(b.accessLogMode), b.slowRequest);
    Objects.requireNonNull(b.page, "page");
    Objects.requireNonNull(b.maxCommitAge, "maxCommitAge");
    this.page = resource("/api/index.html")
        .replace("{{POLL_MS}}", Long.toString(b.page.pollInterval().toMillis()))
        .replace("{{POLL_MAX_MS}}", Long.toString(b.page.pollMax().toMillis()))
        .replace("{{DEFAULT_DAYS}}", Integer.toString(b.page.defaultDays()));
    String openApi = resource("/api/openapi.json");
    router.add("GET", "/", false, x -> x.text(200, "text/html; charset=utf-8", page));
    router.add("GET", "/api/openapi.json", false, x -> x.text(200, "application/json; charset=utf-8", openApi));
    ReportApi reports = new ReportApi(Objects.requireNonNull(b.jobs, "jobs"), Objects.requireNonNull(b.links, "links"),
        b.clock);
    reports.routes(router);
    if (b.queries != null) {
      new DataApi(b.queries).routes(router);
    }
    new HealthApi(b.jobs.store(), Objects.requireNonNull(b.progress, "progress"), b.maxCommitAge, b.clock)
        .routes(router);
    reports.downloadRoutes(router);
    this.server = HttpServer.create(new InetSocketAddress(Objects.requireNonNull(b.bind, "bind"), b.port), 64);
    this.threads = Executors.newFixedThreadPool(b.threads, r -> {
      Thread t = new Thread(r, "api-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/", this::inRequestContext);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts serving; returns the address it listens on. */
  public InetSocketAddress start() {
    server.start();
    LOG.info("report service listening on {}/ ({} token(s))", url(), tokens.size());
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

  /** Every line of a request, the access log's included, carries its id. */
  private void inRequestContext(HttpExchange http) {
    String requestId = LogContext.requestId(http.getRequestHeaders().getFirst(REQUEST_ID_HEADER));
    http.getResponseHeaders().set(REQUEST_ID_HEADER, requestId);
    try (LogContext.Scope ignored = LogContext.ofRequest(requestId)) {
      dispatch(http);
    }
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
            ? http.getRequestMethod() + " is not allowed on " + HttpError.clip(path) : "no such endpoint");
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
      accessLog.record(http.getRequestMethod(), path, x.status(), (System.nanoTime() - t0) / 1_000_000, x.user,
          http.getRemoteAddress().getAddress().getHostAddress(), x.requestId());
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
    server.stop(1);
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("report service stopped");
  }

  /** Everything the service needs; all is required but the clock (the system's) and the store queries (no data endpoints). */
  public static final class Builder {
    private String bind;
    private int port;
    private int threads;
    private String tokenSpec;
    private ReportJobLifecycle jobs;
    private DownloadLinks links;
    private ProgressStore progress;
    private StoreQueries queries;
    private Duration maxCommitAge;
    private PageSettings page;
    private Clock clock = Clock.systemUTC();
    private String accessLogMode = "errors";
    private Duration slowRequest = Duration.ofSeconds(1);

    private Builder() {}

    /** The address to listen on (port 0: any free port). */
    public Builder listen(String bind, int port, int threads) {
      this.bind = bind;
      this.port = port;
      this.threads = threads;
      return this;
    }

    /** The bearer tokens, {@code name:token,...}. */
    public Builder tokens(String tokenSpec) {
      this.tokenSpec = tokenSpec;
      return this;
    }

    /** The report jobs, and where their download links come from. */
    public Builder jobs(ReportJobLifecycle jobs, DownloadLinks links) {
      this.jobs = jobs;
      this.links = links;
      return this;
    }

    /** What the health and data endpoints read: the stream's progress and the aggregates. */
    public Builder aggregates(ProgressStore progress, StoreQueries queries, Duration maxCommitAge) {
      this.progress = progress;
      this.queries = queries;
      this.maxCommitAge = maxCommitAge;
      return this;
    }

    public Builder page(PageSettings page) {
      this.page = page;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Which requests the access log writes at INFO ({@code all}, {@code errors}, {@code off}); slow ones are errors. */
    public Builder accessLog(String mode, Duration slowRequest) {
      this.accessLogMode = mode;
      this.slowRequest = slowRequest;
      return this;
    }

    public ApiServer build() throws IOException {
      return new ApiServer(this);
    }
  }
}
