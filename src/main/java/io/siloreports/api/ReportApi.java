package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.JobId;
import io.siloreports.reportjob.ReadLinks;
import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.reportjob.ReportRequest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The report job endpoints: seed 000's two ({@code POST /initiate-silo-report}, {@code GET /silo-report-status/{jobId}},
 * also under {@code /api}), the same under {@code /api/reports} with a JSON body, the job list and history, and the
 * signed downloads of reports this service stores locally. Every answer is JSON; every bad input is a 400 with a
 * reason; jobs are created and expired through the {@link ReportJobLifecycle}.
 */
final class ReportApi {
  static final int MAX_PAGE = 500;

  /**
   * What creating a job may do: unfinished jobs (PENDING, SUBMITTED, PROCESSING) per token name and in all, the
   * {@code Retry-After} of a refusal, and the report's default range (requests are checked with it applied).
   */
  record Limits(int pendingPerToken, int pendingTotal, int defaultDays, java.time.Duration retryAfter) {
    Limits {
      if (pendingPerToken < 1 || pendingTotal < 1) {
        throw new IllegalArgumentException("api.quota.pending-per-token and api.quota.pending-total must be positive");
      }
    }
  }

  private static final DateTimeFormatter JOB_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ReportJobLifecycle lifecycle;
  private final ReportJobStore jobs;
  private final DownloadLinks links;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Limits limits;
  private final EmailRecipients emailRecipients;
  /** Count and insert as one step in this service: the quotas hold exactly here (several services: see docs). */
  private final Object quotaLock = new Object();
  private Runnable jobCreated = () -> { };
  private ReadLinks readLinks;

  ReportApi(ReportJobLifecycle lifecycle, DownloadLinks links, Clock clock, Limits limits,
      EmailRecipients emailRecipients) {
    this.limits = limits;
    this.emailRecipients = emailRecipients;
    this.lifecycle = lifecycle;
    this.jobs = lifecycle.store();
    this.links = links;
    this.clock = clock;
  }

  /** Told of each job this service creates (its worker, in the same JVM, takes it at once). */
  ReportApi onJobCreated(Runnable listener) {
    this.jobCreated = listener;
    return this;
  }

  /** The links notifications carry ({@code /r/<jobId>}); null: none are answered. */
  ReportApi readLinks(ReadLinks readLinks) {
    this.readLinks = readLinks;
    return this;
  }

  void routes(Router r) {
    for (String prefix : List.of("", "/api")) {
      r.add("POST", prefix + "/initiate-silo-report", true, this::initiate);
      r.add("GET", prefix + "/silo-report-status/{jobId}", true, this::seedStatus);
    }
    r.add("POST", "/api/reports", true, this::create);
    r.add("GET", "/api/reports", true, this::list);
    r.add("GET", "/api/reports/{jobId}", true, this::detail);
    r.add("GET", "/api/reports/{jobId}/events", true, this::events);
  }

  /** The signed links of local reports: no token, the link's signature is the permission. */
  void downloadRoutes(Router r) {
    r.add("GET", DownloadLinks.SERVED_PATH + "{key...}", false, this::file);
    if (readLinks != null) {
      new ReadLinkApi(lifecycle, links, readLinks).routes(r);
    }
  }

  // ---- seed 000

  private void initiate(Exchange x) throws Exception {
    ReportJob job = newJob(x);
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("jobId", job.jobId());
    out.put("status", job.status().name());
    x.json(202, out);
  }

  private void seedStatus(Exchange x) throws Exception {
    ReportJob job = current(jobId(x));
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("status", job.status().name());
    out.put("s3Url", job.status() == JobStatus.COMPLETED ? job.s3Url() : null);
    if (job.status() == JobStatus.FAILED) {
      out.put("errorMessage", job.errorMessage());
    }
    x.json(200, out);
  }

  // ---- /api/reports

  private void create(Exchange x) throws Exception {
    x.json(202, jobJson(newJob(x)));
  }

  private void list(Exchange x) throws Exception {
    JobStatus status = x.query("status") == null ? null : status(x.query("status"));
    int limit = x.intQuery("limit", 20, 1, MAX_PAGE);
    int offset = x.intQuery("offset", 0, 0, Integer.MAX_VALUE);
    ObjectNode out = Exchange.JSON.createObjectNode();
    ArrayNode list = out.putArray("jobs");
    for (ReportJob j : jobs.list(status, limit, offset)) {
      list.add(jobJson(j.status() == JobStatus.COMPLETED ? current(j.jobId()) : j));
    }
    out.put("total", jobs.count(status));
    out.put("limit", limit);
    out.put("offset", offset);
    x.json(200, out);
  }

  private void detail(Exchange x) throws Exception {
    ReportJob job = current(jobId(x));
    ObjectNode out = jobJson(job);
    if (job.status() == JobStatus.COMPLETED) {
      Optional<String> summary = jobs.summary(job.jobId());
      if (summary.isPresent()) {
        out.set("summary", Exchange.JSON.readTree(summary.get()));
      }
    }
    x.json(200, out);
  }

  private void events(Exchange x) throws Exception {
    String id = jobId(x);
    if (jobs.find(id).isEmpty()) {
      throw HttpError.notFound("no report job '" + id + "'");
    }
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("jobId", id);
    ArrayNode list = out.putArray("events");
    for (JobEvent e : jobs.events(id)) {
      ObjectNode n = list.addObject();
      n.put("at", e.at().toString());
      n.put("from", e.from() == null ? null : e.from().name());
      n.put("to", e.to().name());
      n.put("actor", e.actor());
      n.put("detail", e.detail());
    }
    x.json(200, out);
  }

  private void file(Exchange x) throws Exception {
    if (!links.servesFiles()) {
      throw HttpError.notFound("reports are not served here (they are on S3)");
    }
    String key = x.path("key");
    String expires = x.query("expires");
    String signature = x.query("signature");
    if (expires == null || !expires.matches("[0-9]{1,18}")) {
      throw HttpError.badRequest("the link's expires must be a time in seconds since 1970 (a link from downloadUrl"
          + " has it)");
    }
    if (signature == null || signature.isEmpty()) {
      throw HttpError.badRequest("the link has no signature (a link from downloadUrl has it)");
    }
    var file = links.servedFile(key, expires, signature);
    if (file.isEmpty()) {
      throw new HttpError(403, "the link is not valid (wrong signature, expired, or the file is gone)");
    }
    x.file(file.get(), ReportOutput.contentType(key), file.get().getFileName().toString());
  }

  // ---- helpers

  /**
   * Creates a PENDING job from the body (all optional: default all silos, the last days of the report config), its
   * range and cut-off checked with the defaults applied, within the quotas (429 naming the one that is full).
   */
  private ReportJob newJob(Exchange x) throws Exception {
    ReportRequest request = RequestJson.request(x.jsonBody(), emailRecipients);
    try {
      request.requireRunnable(clock.instant(), limits.defaultDays());
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    String id = "r-" + JOB_ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(randomBytes());
    ReportJob job;
    synchronized (quotaLock) {
      ReportJobStore.Unfinished open = jobs.unfinished(x.user);
      if (open.byRequester() >= limits.pendingPerToken()) {
        throw HttpError.tooManyRequests(x.http, limits.retryAfter().toSeconds(), "quota api.quota.pending-per-token:"
            + " at most " + limits.pendingPerToken() + " unfinished jobs per token, and " + x.user + " has "
            + open.byRequester() + " (PENDING, SUBMITTED or PROCESSING); ask again when one has ended");
      }
      if (open.total() >= limits.pendingTotal()) {
        throw HttpError.tooManyRequests(x.http, limits.retryAfter().toSeconds(), "quota api.quota.pending-total: at"
            + " most " + limits.pendingTotal() + " unfinished jobs in all, and " + open.total() + " are open; ask"
            + " again when one has ended");
      }
      job = lifecycle.as("api:" + x.user).create(id, request, x.user, x.requestId());
    }
    jobCreated.run();
    return job;
  }

  private byte[] randomBytes() {
    byte[] b = new byte[4];
    random.nextBytes(b);
    return b;
  }

  private static JobStatus status(String text) {
    try {
      return JobStatus.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("status must be one of PENDING, SUBMITTED, PROCESSING, COMPLETED, FAILED, EXPIRED,"
          + " got '" + HttpError.clip(text) + "'");
    }
  }

  private static String jobId(Exchange x) {
    String id = x.path("jobId");
    try {
      JobId.requireValid(id);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("job id must be 1-128 of [A-Za-z0-9._-] and start with a letter or digit");
    }
    return id;
  }

  /** The job with a link that works now when it is COMPLETED; EXPIRED when its object is gone. */
  private ReportJob current(String id) {
    return lifecycle.as("api").current(id, links).orElseThrow(() -> HttpError.notFound("no report job '" + id + "'"));
  }

  private ObjectNode jobJson(ReportJob j) {
    ObjectNode n = Exchange.JSON.createObjectNode();
    n.put("jobId", j.jobId());
    n.put("status", j.status().name());
    n.put("reportType", j.reportType());
    try {
      n.set("params", j.params() == null ? null : Exchange.JSON.readTree(j.params()));
    } catch (java.io.IOException e) {
      n.put("params", j.params());
    }
    n.put("requestedBy", j.requestedBy());
    n.put("requestId", j.requestId());
    n.put("trigger", j.trigger().name());
    n.put("schedule", j.scheduleName());
    n.put("createdAt", text(j.createdAt()));
    n.put("submittedAt", text(j.submittedAt()));
    n.put("startedAt", text(j.startedAt()));
    n.put("finishedAt", text(j.finishedAt()));
    n.put("errorMessage", j.errorMessage());
    n.put("downloadUrl", j.status() == JobStatus.COMPLETED ? j.s3Url() : null);
    if (j.status() == JobStatus.COMPLETED && readLinks != null) {
      readLinks.link(j.jobId()).ifPresent(link -> n.put("shareUrl", link)); // lives notify.link-ttl, not minutes
    }
    return n;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
