package io.siloreports.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.store.ProgressStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/health}, without a token (for load balancers): {@code {"status": "ok"}} (200) or
 * {@code "unhealthy"} (503) and nothing else; {@code GET /api/health/detail}, with a token: the job store reachable,
 * and each pipeline's last commit no older than {@code maxCommitAge}, naming what is not. No answer carries an
 * exception's text (it can name a database's host, port and schema): a fixed reason, and the exception in the log
 * when a part turns unreachable (not on every poll while it stays so).
 */
final class HealthApi {
  private static final Logger LOG = LoggerFactory.getLogger(HealthApi.class);
  private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
  private final ReportJobStore jobs;
  private final ProgressStore progress;
  private final Duration maxCommitAge;
  private final Clock clock;

  HealthApi(ReportJobStore jobs, ProgressStore progress, Duration maxCommitAge, Clock clock) {
    this.jobs = jobs;
    this.progress = progress;
    this.maxCommitAge = maxCommitAge;
    this.clock = clock;
  }

  void routes(Router r) {
    r.add("GET", "/api/health", false, this::liveness);
    r.add("GET", "/api/health/detail", true, this::detail);
  }

  private void liveness(Exchange x) throws Exception {
    boolean healthy = "ok".equals(health().get("status").asText());
    x.json(healthy ? 200 : 503, Exchange.JSON.createObjectNode().put("status", healthy ? "ok" : "unhealthy"));
  }

  private void detail(Exchange x) throws Exception {
    ObjectNode out = health();
    x.json("ok".equals(out.get("status").asText()) ? 200 : 503, out);
  }

  private ObjectNode health() {
    Instant now = clock.instant();
    ObjectNode out = Exchange.JSON.createObjectNode();
    boolean healthy = true;
    ObjectNode db = out.putObject("jobStore");
    try {
      jobs.count(JobStatus.PENDING);
      db.put("reachable", true);
      recovered("the job store");
    } catch (RuntimeException e) {
      db.put("reachable", false);
      db.put("error", "job store unreachable (the service log has the reason)");
      failed("the job store", e);
      healthy = false;
    }
    out.put("maxCommitAgeSeconds", maxCommitAge.toSeconds());
    ArrayNode pipelines = out.putArray("pipelines");
    for (Pipeline p : Pipeline.values()) {
      healthy &= pipeline(pipelines.addObject(), p, now);
    }
    out.put("status", healthy ? "ok" : "unhealthy");
    return out;
  }

  /** Logs a part's failure when it starts, with the exception, not again while it lasts. */
  private void failed(String part, RuntimeException e) {
    if (failing.put(part, Boolean.TRUE) == null) {
      LOG.warn("health: {} cannot be read: {}", part, e.toString(), e);
    }
  }

  private void recovered(String part) {
    if (failing.remove(part) != null) {
      LOG.info("health: {} can be read again", part);
    }
  }

  /** One pipeline's health into {@code n}; false when it is not healthy. */
  private boolean pipeline(ObjectNode n, Pipeline p, Instant now) {
    n.put("pipeline", p.id);
    try {
      Optional<AggregationProgress> pr = progress.last(p);
      recovered("the progress of " + p.id);
      if (pr.isEmpty()) {
        n.put("ok", false);
        n.put("problem", "no batch committed yet");
        return false;
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
      }
      return ok;
    } catch (RuntimeException e) {
      n.put("ok", false);
      n.put("problem", "cannot read the progress (the service log has the reason)");
      failed("the progress of " + p.id, e);
      return false;
    }
  }
}
