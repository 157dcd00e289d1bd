package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.siloreports.metrics.ServiceMetrics;
import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.ReadLinks;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report service over the JDK's own HTTP server ({@code com.sun.net.httpserver}): no server library on the Spark
 * jobs' classpath, no Spark in this JVM, a start in well under a second. Serves the page at {@code /}, its OpenAPI
 * document at {@code /api/openapi.json}, and the endpoints of {@link ReportApi}, {@link DataApi} and {@link HealthApi}.
 * Every request gets an id ({@link #REQUEST_ID_HEADER}: the client's when well formed, else a new one), in the log
 * context of its lines and in its answer; the {@link AccessLog} writes its line (never a token or a link's signature).
 * It runs no worker: the composition root starts one beside it when configured to. Every
 * connection is held to {@link ConnectionLimits}; TLS is served from a {@link TlsIdentity} when one is given; every
 * answer carries {@link EdgeHeaders}' security headers, and CORS headers for the listed origins (whose preflight
 * {@code OPTIONS} is answered before authentication, as browsers send it without the token). Every request is
 * counted in its {@link ServiceMetrics} ({@code /metrics}).
 *
 * <p>Longer than most files: a request's whole path through the server (limits, headers, routing, authentication, the
 * answer, its log line and its metrics) and the builder of everything the server is given belong together.
 */
public final class ApiServer implements AutoCloseable {
  static final String NO_DELAY = "sun.net.httpserver.nodelay";
  /** A request's id: kept from the request when well formed, else made up; always in the answer. */
  public static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  /** What the page needs to know; the rest it asks the API. */
  public record PageSettings(Duration pollInterval, Duration pollMax, int defaultDays) {}

  private final Router router = new Router();
  private final Authentication auth;
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
  private final EdgeHeaders edge;
  private final ServiceMetrics metrics;

  private ApiServer(Builder b) throws IOException {
    this.auth = new Authentication(new Tokens(Objects.requireNonNull(b.tokenSpec, "tokens")),
        new TrustedProxies(b.trustedProxies),
        new AuthThrottle(b.maxAuthFailures, b.authFailureWindow, AuthThrottle.MAX_ADDRESSES, b.clock));
    this.accessLog = new AccessLog(AccessLog.Mode.of(b.accessLogMode), b.slowRequest);
    Objects.requireNonNull(b.page, "page");
    Objects.requireNonNull(b.maxCommitAge, "maxCommitAge");
    this.page = resource("/api/index.html")
        .replace("{{POLL_MS}}", Long.toString(b.page.pollInterval().toMillis()))
        .replace("{{POLL_MAX_MS}}", Long.toString(b.page.pollMax().toMillis()))
        .replace("{{DEFAULT_DAYS}}", Integer.toString(b.page.defaultDays()));
    String openApi = resource("/api/openapi.json");
    String script = resource("/api/app.js");
    String style = resource("/api/app.css");
    router.add("GET", "/", false, x -> x.text(200, "text/html; charset=utf-8", page));
    router.add("GET", "/app.js", false, x -> x.text(200, "text/javascript; charset=utf-8", script));
    router.add("GET", "/app.css", false, x -> x.text(200, "text/css; charset=utf-8", style));
    router.add("GET", "/api/openapi.json", false, x -> x.text(200, "application/json; charset=utf-8", openApi));
    ReportApi reports = new ReportApi(Objects.requireNonNull(b.jobs, "jobs"), Objects.requireNonNull(b.links, "links"),
        b.clock, new ReportApi.Limits(b.pendingPerToken, b.pendingTotal, b.page.defaultDays(), b.quotaRetryAfter),
        b.emailRecipients)
        .onJobCreated(b.jobCreated).readLinks(b.readLinks);
    reports.routes(router);
    if (b.schedules != null) {
      new ScheduleApi(b.schedules, b.scheduleCheck).routes(router);
    }
    if (b.queries != null) {
      new DataApi(b.queries).routes(router);
    }
    new HealthApi(b.jobs.store(), Objects.requireNonNull(b.progress, "progress"), b.maxCommitAge, b.clock)
        .routes(router);
    this.metrics = b.metrics != null ? b.metrics : new ServiceMetrics(b.jobs.store(), b.clock);
    router.add("GET", "/metrics", !b.metricsPublic,
        x -> x.text(200, metrics.contentType(), new String(metrics.scrape(), StandardCharsets.UTF_8)));
    reports.downloadRoutes(router);
    ConnectionLimits limits = Objects.requireNonNull(b.limits, "limits");
    ConnectionLimits.applyToThisJvm(limits); // before the JDK's server reads them, on its first creation
    this.edge = new EdgeHeaders(b.corsOrigins, b.tls == null ? null : b.hstsMaxAge);
    InetSocketAddress address = new InetSocketAddress(Objects.requireNonNull(b.bind, "bind"), b.port);
    // The kernel's queue of connections not yet accepted: at 64, a burst of a few hundred overflowed it and clients
    // waited for SYN retries (1 s, 3 s...); the kernel caps it (net.core.somaxconn).
    int backlog = limits.maxConnections();
    this.server = b.tls == null ? HttpServer.create(address, backlog) : b.tls.httpsServer(address, backlog);
    this.threads = limits.newHandlerPool(b.threads);
    server.setExecutor(threads);
    server.createContext("/", this::inRequestContext);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts serving; returns the address it listens on. */
  public InetSocketAddress start() {
    server.start();
    LOG.info("report service listening on {}/ ({} token(s))", url(), auth.tokenCount());
    return server.getAddress();
  }

  /** The address it listens on, as a URL ({@code http://127.0.0.1:8080}); a wildcard bind shows as localhost. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
    return (server instanceof HttpsServer ? "https://" : "http://") + host + ":" + a.getPort();
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
    String route = ServiceMetrics.UNMATCHED; // the template, never the path: a bounded label
    try {
      edge.security(http.getResponseHeaders());
      String origin = http.getRequestHeaders().getFirst("Origin");
      if (EdgeHeaders.isPreflight(http.getRequestMethod(), http.getRequestHeaders())) {
        preflight(x, origin);
        return;
      }
      edge.cors(origin, http.getResponseHeaders());
      boolean[] wrongMethod = {false};
      Router.Match match = router.match(http.getRequestMethod(), path, wrongMethod);
      if (match == null) {
        throw new HttpError(wrongMethod[0] ? 405 : 404, wrongMethod[0]
            ? http.getRequestMethod() + " is not allowed on " + HttpError.clip(path) : "no such endpoint");
      }
      route = match.route().template();
      x = new Exchange(http, decodeParams(match.params()));
      if (match.route().authenticated()) {
        x.user = auth.nameOf(http, match.route());
      }
      match.route().handler().handle(x);
    } catch (HttpError e) {
      error(x, e.status, e.getMessage());
    } catch (Exception | OutOfMemoryError e) {
      LOG.error("{} {} failed: {}", http.getRequestMethod(), path, e.toString(), e);
      error(x, 500, "internal error (" + e.getClass().getSimpleName() + "); the service log has the details");
    } finally {
      accessLog.record(http.getRequestMethod(), path, x.status(), (System.nanoTime() - t0) / 1_000_000, x.user,
          auth.client(http), x.requestId());
      metrics.request(route, http.getRequestMethod(), x.status(), Duration.ofNanos(System.nanoTime() - t0));
      http.close();
    }
  }

  /** A listed origin's preflight gets 204 and the CORS headers; any other origin a 403 the browser reports. */
  private void preflight(Exchange x, String origin) throws IOException {
    if (!edge.corsAllowed(origin)) {
      throw new HttpError(403, "cross-origin requests from this origin are not allowed (api.cors.allowed-origins)");
    }
    edge.preflight(origin, x.http.getResponseHeaders());
    x.empty(204);
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
    private ConnectionLimits limits;
    private TlsIdentity tls;
    private Duration hstsMaxAge;
    private Set<String> corsOrigins = Set.of();
    private String tokenSpec;
    private ReportJobLifecycle jobs;
    private DownloadLinks links;
    private io.siloreports.jobstore.JdbcScheduleStore schedules;
    private ScheduleCheck scheduleCheck;
    private ReadLinks readLinks;
    private Runnable jobCreated = () -> { };
    private ProgressStore progress;
    private StoreQueries queries;
    private Duration maxCommitAge;
    private PageSettings page;
    private Clock clock = Clock.systemUTC();
    private String trustedProxies;
    private int maxAuthFailures = 10;
    private Duration authFailureWindow = Duration.ofMinutes(1);
    private int pendingPerToken = 20;
    private int pendingTotal = 200;
    private Duration quotaRetryAfter = Duration.ofSeconds(30);
    private EmailRecipients emailRecipients = EmailRecipients.parse(null);
    private ServiceMetrics metrics;
    private boolean metricsPublic;
    private String accessLogMode = "errors";
    private Duration slowRequest = Duration.ofSeconds(1);

    private Builder() {}

    /** Where requests are counted and what {@code /metrics} serves (default: its own); public: without a token. */
    public Builder metrics(ServiceMetrics metrics, boolean metricsPublic) {
      this.metrics = metrics;
      this.metricsPublic = metricsPublic;
      return this;
    }

    /** The address to listen on (port 0: any free port). */
    public Builder listen(String bind, int port, int threads) {
      this.bind = bind;
      this.port = port;
      this.threads = threads;
      return this;
    }

    /** How long a connection may take, and how many may be open. */
    public Builder limits(ConnectionLimits limits) {
      this.limits = limits;
      return this;
    }

    /** Serve TLS with this identity (null: plain HTTP); HSTS with this max-age (null or zero: no HSTS header). */
    public Builder tls(TlsIdentity tls, Duration hstsMaxAge) {
      this.tls = tls;
      this.hstsMaxAge = hstsMaxAge == null || hstsMaxAge.isZero() ? null : hstsMaxAge;
      return this;
    }

    /** The origins whose pages may call the API (CORS); none by default. */
    public Builder cors(Set<String> origins) {
      this.corsOrigins = Set.copyOf(origins);
      return this;
    }

    /** The bearer tokens, {@code name:token,...}. */
    public Builder tokens(String tokenSpec) {
      this.tokenSpec = tokenSpec;
      return this;
    }

    /** Told of each job the service creates: the worker in the same JVM takes it without waiting for its poll. */
    public Builder onJobCreated(Runnable listener) {
      this.jobCreated = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The report jobs, and where their download links come from. */
    public Builder jobs(ReportJobLifecycle jobs, DownloadLinks links) {
      this.jobs = jobs;
      this.links = links;
      return this;
    }

    /** The stored schedules {@code /api/schedules} serves; {@code check} throws the reason a schedule is invalid. */
    public Builder schedules(io.siloreports.jobstore.JdbcScheduleStore store, ScheduleCheck check) {
      this.schedules = store;
      this.scheduleCheck = check;
      return this;
    }

    /** The links notifications carry to this service ({@code /r/<jobId>}); none by default. */
    public Builder readLinks(ReadLinks readLinks) {
      this.readLinks = readLinks;
      return this;
    }

    /** What the health and data endpoints read: the stream's progress and the aggregates. */
    public Builder aggregates(ProgressStore progress, StoreQueries queries, Duration maxCommitAge) {
      this.progress = progress;
      this.queries = queries;
      this.maxCommitAge = maxCommitAge;
      return this;
    }

    /**
     * Failed-authentication throttling: {@code maxFailures} per client address in {@code window}; the client of a
     * request from one of {@code trustedProxies} (addresses, CIDR blocks; null: none) is its X-Forwarded-For's.
     */
    public Builder access(int maxFailures, Duration window, String trustedProxies) {
      this.maxAuthFailures = maxFailures;
      this.authFailureWindow = window;
      this.trustedProxies = trustedProxies;
      return this;
    }

    /** Unfinished jobs (PENDING, SUBMITTED, PROCESSING) allowed per token and in all; the Retry-After beyond. */
    public Builder quotas(int perToken, int total, Duration retryAfter) {
      this.pendingPerToken = perToken;
      this.pendingTotal = total;
      this.quotaRetryAfter = retryAfter;
      return this;
    }

    /** Whom a request's {@code notify.email} may name: {@code notify.email.allowed-domains}; default no one. */
    public Builder emailRecipients(EmailRecipients recipients) {
      this.emailRecipients = recipients;
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
