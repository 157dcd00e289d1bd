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
import java.util.Optional;

/**
 * {@code GET /api/health}, without a token (for load balancers): the job store reachable, and each pipeline's last
 * commit no older than {@code maxCommitAge}; 200 when all is well, 503 naming what is not.
 */
final class HealthApi {
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
    r.add("GET", "/api/health", false, this::health);
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
      healthy &= pipeline(pipelines.addObject(), p, now);
    }
    out.put("status", healthy ? "ok" : "unhealthy");
    x.json(healthy ? 200 : 503, out);
  }

  /** One pipeline's health into {@code n}; false when it is not healthy. */
  private boolean pipeline(ObjectNode n, Pipeline p, Instant now) {
    n.put("pipeline", p.id);
    try {
      Optional<AggregationProgress> pr = progress.last(p);
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
      n.put("problem", "cannot read the progress: " + e.getMessage());
      return false;
    }
  }
}
