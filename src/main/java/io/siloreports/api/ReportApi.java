package io.siloreports.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.model.Times;
import io.siloreports.report.ReportRequest;
import io.siloreports.report.SiloReport;
import io.siloreports.report.output.DownloadLinks;
import io.siloreports.report.output.LocalDownloadLinks;
import io.siloreports.report.output.ReportOutput;
import io.siloreports.store.ProgressStore;
import io.siloreports.store.StoreQueries;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The endpoints: seed 000's two ({@code POST /initiate-silo-report}, {@code GET /silo-report-status/{jobId}}, also
 * under {@code /api}), the same under {@code /api/reports} with a JSON body, the job list and history, bucket
 * counts, silos, health, the signed local downloads. Every answer is JSON; every bad input is a 400 with a reason;
 * every database access goes through the stores' prepared statements.
 */
final class ReportApi {
  /** The largest silo list and range a request may ask for: more is a mistake or an attack. */
  static final int MAX_SILOS = ReportRequest.MAX_SILOS;
  static final Duration MAX_RANGE = Duration.ofDays(3_700);
  static final int MAX_BUCKETS = 10_000;
  static final int MAX_PAGE = 500;
  private static final Set<String> REQUEST_FIELDS = Set.of("silos", "from", "to", "as_of", "format");
  private static final Set<Integer> BUCKET_MINUTES = Set.of(1, 5, 15, 60);
  private static final DateTimeFormatter JOB_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final ReportJobStore jobs;
  private final DownloadLinks links;
  private final LocalDownloadLinks localFiles;
  private final ProgressStore progress;
  private final StoreQueries queries;
  private final Duration maxCommitAge;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** @param localFiles the signed local downloads this service serves, or null when reports are on S3 */
  ReportApi(ReportJobStore jobs, DownloadLinks links, LocalDownloadLinks localFiles, ProgressStore progress,
      StoreQueries queries, Duration maxCommitAge, Clock clock) {
    this.jobs = jobs;
    this.links = links;
    this.localFiles = localFiles;
    this.progress = progress;
    this.queries = queries;
    this.maxCommitAge = maxCommitAge;
    this.clock = clock;
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
    r.add("GET", "/api/buckets", true, this::buckets);
    r.add("GET", "/api/silos", true, this::silos);
    r.add("GET", "/api/health", false, this::health);
    r.add("GET", LocalDownloadLinks.PATH + "{key...}", false, this::file);
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
    int limit = intParam(x, "limit", 20, 1, MAX_PAGE);
    int offset = intParam(x, "offset", 0, 0, Integer.MAX_VALUE);
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

  // ---- data

  private void buckets(Exchange x) throws Exception {
    String recordType = required(x, "record_type");
    if (!recordType.matches("[A-Za-z]{1,32}")) {
      throw HttpError.badRequest("record_type must be a record type name such as items, got '" + clip(recordType)
          + "'");
    }
    String account = x.query("account_id");
    if (account != null && (account.isEmpty() || account.length() > 128)) {
      throw HttpError.badRequest("account_id must be 1 to 128 characters");
    }
    int minutes = intParam(x, "minutes", 60, 1, 60);
    if (!BUCKET_MINUTES.contains(minutes)) {
      throw HttpError.badRequest("minutes must be 1, 5, 15 or 60, got " + minutes);
    }
    Instant from = instant(required(x, "from"), "from");
    Instant to = instant(required(x, "to"), "to");
    requireRange(from, to);
    List<StoreQueries.BucketCount> counts = queries.buckets(recordType, account, minutes, from, to, MAX_BUCKETS + 1);
    if (counts.size() > MAX_BUCKETS) {
      throw HttpError.badRequest("more than " + MAX_BUCKETS + " buckets: ask for a shorter range, wider buckets or one"
          + " account");
    }
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("recordType", recordType);
    out.put("accountId", account);
    out.put("minutes", minutes);
    out.put("from", from.toString());
    out.put("to", to.toString());
    ArrayNode list = out.putArray("buckets");
    for (StoreQueries.BucketCount c : counts) {
      ObjectNode n = list.addObject();
      n.put("accountId", c.accountId());
      n.put("start", c.start().toString());
      n.put("count", c.count());
    }
    x.json(200, out);
  }

  private void silos(Exchange x) throws Exception {
    ObjectNode out = Exchange.JSON.createObjectNode();
    ArrayNode list = out.putArray("silos");
    queries.silos().forEach(list::add);
    x.json(200, out);
  }

  private void health(Exchange x) throws Exception {
    Instant now = clock.instant();
    ObjectNode out = Exchange.JSON.createObjectNode();
    boolean healthy = true;
    ObjectNode db = out.putObject("jobStore");
    try {
      jobs.count(JobStatus.PENDING);
      db.put("reachable", true);
    } catch (RuntimeException e) {
      db.put("reachable", false);
      db.put("error", e.getMessage());
      healthy = false;
    }
    out.put("maxCommitAgeSeconds", maxCommitAge.toSeconds());
    ArrayNode pipelines = out.putArray("pipelines");
    for (Pipeline p : Pipeline.values()) {
      ObjectNode n = pipelines.addObject();
      n.put("pipeline", p.id);
      try {
        Optional<AggregationProgress> pr = progress.last(p);
        if (pr.isEmpty()) {
          n.put("ok", false);
          n.put("problem", "no batch committed yet");
          healthy = false;
          continue;
        }
        AggregationProgress a = pr.get();
        long commitAge = Duration.between(a.updatedAt(), now).toSeconds();
        n.put("lastBatch", a.batchId());
        n.put("lastCommitAt", a.updatedAt().toString());
        n.put("commitAgeSeconds", commitAge);
        n.put("finalizedBefore", a.finalizedBefore() == null ? null : a.finalizedBefore().toString());
        n.put("maxEventTime", a.maxEventTime() == null ? null : a.maxEventTime().toString());
        if (a.maxEventTime() != null) {
          n.put("eventTimeLagSeconds", Duration.between(a.maxEventTime(), now).toSeconds());
        }
        n.put("merged", a.validTotal());
        n.put("late", a.lateTotal());
        n.put("bad", a.badTotal());
        n.put("tooLate", a.tooLateTotal());
        boolean ok = commitAge <= maxCommitAge.toSeconds();
        n.put("ok", ok);
        if (!ok) {
          n.put("problem", "no batch committed for " + commitAge + " s (more than " + maxCommitAge.toSeconds() + " s)");
          healthy = false;
        }
      } catch (RuntimeException e) {
        n.put("ok", false);
        n.put("problem", "cannot read the progress: " + e.getMessage());
        healthy = false;
      }
    }
    out.put("status", healthy ? "ok" : "unhealthy");
    x.json(healthy ? 200 : 503, out);
  }

  private void file(Exchange x) throws Exception {
    if (localFiles == null) {
      throw HttpError.notFound("reports are not served here (they are on S3)");
    }
    String key = x.path("key");
    var file = localFiles.file(key, x.query("expires"), x.query("signature"));
    if (file.isEmpty()) {
      throw new HttpError(403, "the link is not valid (wrong signature, expired, or the file is gone)");
    }
    x.file(file.get(), ReportOutput.contentType(key), file.get().getFileName().toString());
  }

  // ---- helpers

  /** Creates a PENDING job from the body (all optional: default all silos, the last days of the report config). */
  private ReportJob newJob(Exchange x) throws Exception {
    JsonNode body = x.jsonBody();
    ReportRequest request = request(body);
    String id = "r-" + JOB_ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(randomBytes());
    String who = x.user;
    return jobs.as("api:" + who).create(id, SiloReport.REPORT_TYPE, request.toJson(), who);
  }

  private byte[] randomBytes() {
    byte[] b = new byte[4];
    random.nextBytes(b);
    return b;
  }

  static ReportRequest request(JsonNode body) {
    if (body == null) {
      return new ReportRequest(null, null, List.of(), null);
    }
    body.fieldNames().forEachRemaining(f -> {
      if (!REQUEST_FIELDS.contains(f)) {
        throw HttpError.badRequest("unknown field '" + clip(f) + "' (known: silos, from, to, as_of, format)");
      }
    });
    List<Integer> silos = new ArrayList<>();
    JsonNode s = body.get("silos");
    if (s != null && !s.isNull()) {
      if (s.isTextual()) {
        try {
          silos.addAll(ReportRequest.parseSilos(s.asText()));
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest("silos: " + e.getMessage());
        }
      } else if (s.isArray()) {
        for (JsonNode n : s) {
          if (!n.isInt() || n.asInt() < 0) {
            throw HttpError.badRequest("silos must be non-negative integers, or a text like \"1,3-5\" or \"all\"");
          }
          silos.add(n.asInt());
        }
      } else {
        throw HttpError.badRequest("silos must be an array of silo ids, or a text like \"1,3-5\" or \"all\"");
      }
    }
    if (silos.size() > MAX_SILOS) {
      throw HttpError.badRequest("at most " + MAX_SILOS + " silos per report");
    }
    if (silos.stream().distinct().count() != silos.size()) {
      throw HttpError.badRequest("a silo is listed twice");
    }
    Instant from = optionalInstant(body, "from");
    Instant to = optionalInstant(body, "to");
    Instant asOf = optionalInstant(body, "as_of");
    if (from != null && to != null) {
      requireRange(from, to);
    }
    ReportRequest.Format format = null;
    JsonNode f = body.get("format");
    if (f != null && !f.isNull()) {
      try {
        format = ReportRequest.Format.parse(f.asText());
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest(e.getMessage());
      }
    }
    return new ReportRequest(from, to, silos, asOf, format, List.of());
  }

  private static Instant optionalInstant(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw HttpError.badRequest(field + " must be an ISO-8601 time or date text");
    }
    return instant(n.asText(), field);
  }

  private static Instant instant(String text, String field) {
    try {
      Instant t = Times.parseInstant(text);
      if (t.isBefore(Instant.parse("1970-01-01T00:00:00Z")) || t.isAfter(Instant.parse("9999-01-01T00:00:00Z"))) {
        throw HttpError.badRequest(field + " is out of range: " + clip(text));
      }
      return t;
    } catch (java.time.format.DateTimeParseException e) {
      throw HttpError.badRequest(field + " must be an ISO-8601 time or date (2026-11-20 or 2026-11-20T14:00:00Z),"
          + " got '" + clip(text) + "'");
    }
  }

  private static void requireRange(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw HttpError.badRequest("from must be before to");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw HttpError.badRequest("the range is longer than " + MAX_RANGE.toDays() + " days");
    }
  }

  private static String required(Exchange x, String name) {
    String v = x.query(name);
    if (v == null || v.isEmpty()) {
      throw HttpError.badRequest("query parameter '" + name + "' is required");
    }
    return v;
  }

  private static int intParam(Exchange x, String name, int fallback, int min, int max) {
    String v = x.query(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw HttpError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a whole number, got '" + clip(v) + "'");
    }
  }

  private static JobStatus status(String text) {
    try {
      return JobStatus.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("status must be one of PENDING, SUBMITTED, PROCESSING, COMPLETED, FAILED, EXPIRED,"
          + " got '" + clip(text) + "'");
    }
  }

  private static String jobId(Exchange x) {
    String id = x.path("jobId");
    try {
      SiloReport.requireValidJobId(id);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("job id must be 1-128 of [A-Za-z0-9._-] and start with a letter or digit");
    }
    return id;
  }

  /** The job with a link that works now when it is COMPLETED; EXPIRED when its object is gone. */
  private ReportJob current(String id) {
    ReportJob job = jobs.find(id).orElseThrow(() -> HttpError.notFound("no report job '" + id + "'"));
    if (job.status() != JobStatus.COMPLETED || job.s3Key() == null) {
      return job;
    }
    Optional<String> link = links.link(job.s3Key());
    if (link.isEmpty()) {
      jobs.as("api").markExpired(id);
      return jobs.find(id).orElse(job);
    }
    return job.withUrl(link.get());
  }

  private static ObjectNode jobJson(ReportJob j) {
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
    n.put("trigger", j.trigger().name());
    n.put("schedule", j.scheduleName());
    n.put("createdAt", text(j.createdAt()));
    n.put("submittedAt", text(j.submittedAt()));
    n.put("startedAt", text(j.startedAt()));
    n.put("finishedAt", text(j.finishedAt()));
    n.put("errorMessage", j.errorMessage());
    n.put("downloadUrl", j.status() == JobStatus.COMPLETED ? j.s3Url() : null);
    return n;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  /** Input echoed in a reason is cut short: a reason never carries a huge or hostile value whole. */
  static String clip(String s) {
    String printable = s.replaceAll("[\\p{Cntrl}]", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
  }
}
