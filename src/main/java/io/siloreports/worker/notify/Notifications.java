package io.siloreports.worker.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.metrics.ServiceMetrics;
import io.siloreports.reportjob.LogContext;
import io.siloreports.reportjob.ReadLinks;
import io.siloreports.reportjob.ReportRequest;
import io.siloreports.worker.Duty;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the targets of each COMPLETED or FAILED job that it finished: a worker's duty. A job's targets are the ones
 * its request names (a schedule's {@code notify}), else the configured {@code notify.targets}. The worker that
 * claims a job's notifications ({@code notified_at}) sends them, on its own threads so retries never hold up a round;
 * every send, delivered or given up, is an event in the job's history. A failed notification never changes the
 * job's status. Jobs that finished more than {@code maxAge} before a worker first sees them are not notified.
 */
public final class Notifications implements Duty, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReportJobStore jobs;
  private final List<Notifier> notifiers;
  private final List<String> defaultTargets;
  private final Duration maxAge;
  private ServiceMetrics metrics;
  private ReadLinks readLinks;
  private final java.util.concurrent.atomic.AtomicBoolean warnedNoLink = new java.util.concurrent.atomic.AtomicBoolean();
  private final ExecutorService senders = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "report-notifications");
    t.setDaemon(true);
    return t;
  });

  public Notifications(ReportJobStore jobs, List<Notifier> notifiers, List<String> defaultTargets, Duration maxAge) {
    this.jobs = jobs;
    this.notifiers = List.copyOf(notifiers);
    this.defaultTargets = List.copyOf(defaultTargets);
    this.maxAge = maxAge;
  }

  /**
   * Where job durations and failed notifications are counted: the claim of a job's end happens once across all
   * workers, so each ended job is observed once (with no targets at all, this duty runs for that alone).
   */
  public Notifications metrics(ServiceMetrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /**
   * The links a COMPLETED job's notification carries: to this service, which signs a fresh download on each click
   * (never the presigned URL stored at completion, dead minutes later, nor a server's file path). Without
   * {@code api.public-url} the notification says how to fetch the report by its job id, and the log says so once.
   */
  public Notifications links(ReadLinks readLinks) {
    this.readLinks = readLinks;
    return this;
  }

  @Override
  public void run(Instant now) {
    for (ReportJob job : jobs.toNotify(now.minus(maxAge), 100)) {
      List<String> targets = targets(job);
      if (!jobs.claimNotification(job.jobId())) {
        continue; // another worker has it
      }
      if (metrics != null) {
        metrics.jobEnded(job);
      }
      if (targets.isEmpty()) {
        continue;
      }
      if (job.status() == io.siloreports.jobstore.JobStatus.COMPLETED && (readLinks == null || !readLinks.enabled())
          && warnedNoLink.compareAndSet(false, true)) {
        LOG.warn("notifications carry no download link: set api.public-url (the service's address as readers reach"
            + " it; a worker apart from the service also needs api.download-signing-key) to send links that work"
            + " when read; until then they say to fetch the report by its job id");
      }
      Notifier.Notification notification = new Notifier.Notification(job,
          "silo-reports: report " + job.jobId() + " " + job.status(), body(job, readLinks),
          job.status() == io.siloreports.jobstore.JobStatus.COMPLETED ? jobs.summary(job.jobId()).orElse(null) : null);
      for (String target : targets) {
        senders.submit(() -> send(target, notification));
      }
    }
  }

  private void send(String target, Notifier.Notification notification) {
    ReportJob job = notification.job();
    try (LogContext.Scope ignored = LogContext.ofJob(job)) {
      sendInContext(job, target, notification);
    }
  }

  private void sendInContext(ReportJob job, String target, Notifier.Notification notification) {
    String shown = Notifier.shown(target);
    Notifier notifier = notifiers.stream().filter(n -> n.handles(target)).findFirst().orElse(null);
    try {
      if (notifier == null) {
        throw new IllegalArgumentException("no notifier for this target (webhook URLs, slack:<URL>, teams:<URL>, SNS"
            + " topic ARNs and mailto: are known; for webhooks set notify.webhook.secret, for email"
            + " notify.email.smtp.host)");
      }
      notifier.send(target, notification);
      jobs.note(job.jobId(), "notified " + shown + " (" + job.status() + ")");
      LOG.info("report {}: notified {} ({})", job.jobId(), shown, job.status());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      jobs.note(job.jobId(), "notification to " + shown + " failed: " + reason);
      if (metrics != null) {
        metrics.notificationFailed(ServiceMetrics.kindOf(notifier, "Notifier"));
      }
      LOG.warn("report {}: notification to {} failed: {} (the job stays {})", job.jobId(), shown, reason,
          job.status());
    }
  }

  private List<String> targets(ReportJob job) {
    List<String> own = new ArrayList<>();
    try {
      own.addAll(ReportRequest.fromJson(job.params()).notifyTargets());
    } catch (IllegalArgumentException e) {
      // params someone stored wrong: the configured targets still hear about it
    }
    return own.isEmpty() ? defaultTargets : own;
  }

  /**
   * What a target receives: the job, its outcome, the link (COMPLETED: to the service, signed for
   * {@code notify.link-ttl}; without one, how to fetch the report) or the reason (FAILED).
   */
  static String body(ReportJob job, ReadLinks readLinks) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", "report." + job.status().name().toLowerCase(java.util.Locale.ROOT));
    n.put("job_id", job.jobId());
    n.put("status", job.status().name());
    n.put("report_type", job.reportType());
    n.put("trigger", job.trigger().name());
    if (job.scheduleName() != null) {
      n.put("schedule", job.scheduleName());
      n.put("scheduled_for", job.scheduledFor().toString());
    }
    if (job.requestedBy() != null) {
      n.put("requested_by", job.requestedBy());
    }
    n.put("created_at", job.createdAt().toString());
    if (job.finishedAt() != null) {
      n.put("finished_at", job.finishedAt().toString());
    }
    if (job.status() == io.siloreports.jobstore.JobStatus.COMPLETED) {
      java.util.Optional<String> link = readLinks == null ? java.util.Optional.empty() : readLinks.link(job.jobId());
      if (link.isPresent()) {
        n.put("url", link.get());
      } else {
        n.put("fetch", "the report is ready: GET /api/reports/" + job.jobId() + " on the report service (with a"
            + " token) gives its downloadUrl, or find job " + job.jobId() + " on the service's page");
      }
    }
    if (job.errorMessage() != null) {
      n.put("error", job.errorMessage());
    }
    return n.toString();
  }

  /** Waits until the notifications sent so far are done (tests, and a worker that stops). */
  public boolean awaitSent(Duration timeout) throws InterruptedException {
    senders.shutdown();
    return senders.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String describe() {
    return "notifications (" + String.join(", ", defaultTargets.stream().map(Notifier::shown).toList())
        + (defaultTargets.isEmpty() ? "per request only" : "") + ")";
  }

  @Override
  public void close() {
    senders.shutdownNow();
    for (Notifier n : notifiers) {
      if (n instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.debug("closing {} failed: {}", n, e.toString());
        }
      }
    }
  }
}
