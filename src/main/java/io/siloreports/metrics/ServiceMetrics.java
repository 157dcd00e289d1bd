package io.siloreports.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.siloreports.jobstore.JobCounts;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.jobstore.ReportJobStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report service's metrics, in its own registry (two services in one test JVM never share one): requests by
 * route template, their latency, the jobs by status and trigger and the oldest unfinished one (read from the job
 * store at scrape time, so they hold whichever process moved the jobs), job durations, failed submissions and
 * notifications. Label values are route templates, fixed words and enum names, never a path, header or body, so a
 * client cannot grow the series. docs/metrics.md lists every name.
 */
public final class ServiceMetrics {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMetrics.class);
  /** The route label of a request no route matched: one series for every unknown path. */
  public static final String UNMATCHED = "unmatched";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  private static final List<JobStatus> UNFINISHED = List.of(JobStatus.PENDING, JobStatus.SUBMITTED,
      JobStatus.PROCESSING);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  private final ReportJobStore jobs;
  private final Clock clock;
  private final Counter requests = Counter.builder()
      .name("silo_reports_http_requests_total")
      .help("HTTP requests answered, by route template (unmatched: no route), method and status")
      .labelNames("route", "method", "status")
      .register(registry);
  private final Histogram requestDuration = Histogram.builder()
      .name("silo_reports_http_request_duration_seconds")
      .help("time from a request's arrival to the end of its answer, by route template")
      .labelNames("route")
      .classicOnly()
      .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .register(registry);
  private final Histogram jobDuration = Histogram.builder()
      .name("silo_reports_job_duration_seconds")
      .help("a report job from its creation to its end (COMPLETED or FAILED), observed once by the worker that"
          + " claims its end")
      .labelNames("status")
      .classicOnly()
      .classicUpperBounds(10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
      .register(registry);
  private final Histogram jobProcessingDuration = Histogram.builder()
      .name("silo_reports_job_processing_duration_seconds")
      .help("a report job from the moment its run took it (PROCESSING) to its end; jobs never taken are not here")
      .labelNames("status")
      .classicOnly()
      .classicUpperBounds(10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)
      .register(registry);
  private final Counter submissionFailures = Counter.builder()
      .name("silo_reports_job_submission_failures_total")
      .help("submissions of a job that did not start a run, by submitter and outcome: failed (the job ended FAILED)"
          + " or throttled (the job went back to PENDING)")
      .labelNames("submitter", "outcome")
      .register(registry);
  private final Counter notificationFailures = Counter.builder()
      .name("silo_reports_notification_failures_total")
      .help("notifications given up after their retries, by target type (webhook, sns, unknown)")
      .labelNames("target_type")
      .register(registry);
  private volatile Snapshot lastRead;

  /** A read of the job store and when it was made ({@link System#nanoTime}: a test's fixed clock must not freeze it). */
  private record Snapshot(JobCounts counts, long readAtNanos) {}

  public ServiceMetrics(ReportJobStore jobs, Clock clock) {
    this.jobs = jobs;
    this.clock = clock;
    // Counters start at 0, not absent: Prometheus' increase() cannot see the first failure of a series born at 1.
    for (String type : List.of("webhook", "sns", "unknown")) {
      notificationFailures.labelValues(type);
    }
    GaugeWithCallback.builder()
        .name("silo_reports_jobs")
        .help("report jobs in the job store by status and trigger (PENDING: the queue's depth)")
        .labelNames("status", "trigger")
        .callback(cb -> {
          JobCounts c = counts();
          if (c == null) {
            return;
          }
          for (JobStatus s : JobStatus.values()) {
            for (ReportJob.Trigger t : ReportJob.Trigger.values()) { // zeros too: a series that vanishes alerts no one
              cb.call(c.byStatusAndTrigger().getOrDefault(s, java.util.Map.of()).getOrDefault(t, 0L), s.name(),
                  t.name());
            }
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("silo_reports_jobs_oldest_age_seconds")
        .help("how long the longest-waiting job of an unfinished status has been in it (0: none)")
        .labelNames("status")
        .callback(cb -> {
          JobCounts c = counts();
          if (c == null) {
            return;
          }
          for (JobStatus s : UNFINISHED) {
            Instant since = c.oldestSince().get(s);
            cb.call(since == null ? 0 : Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0),
                s.name());
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("silo_reports_job_store_up")
        .help("1 when the last scrape could read the job store, 0 when it could not (the job gauges are then absent)")
        .callback(cb -> cb.call(counts() == null ? 0 : 1))
        .register(registry);
  }

  /** Adds the JVM's own metrics (memory, GC, threads): the service's process, not the stream's executors. */
  public ServiceMetrics withJvmMetrics() {
    JvmMetrics.builder().register(registry);
    return this;
  }

  /**
   * The job store's counts, read at most once a second: one scrape asks for them from three gauges. Null when the
   * store cannot be read (logged without the driver's text, which may name the database host).
   */
  private JobCounts counts() {
    Snapshot s = lastRead;
    long now = System.nanoTime();
    if (s != null && now - s.readAtNanos() < 1_000_000_000L) {
      return s.counts();
    }
    JobCounts c;
    try {
      c = jobs.counts();
    } catch (RuntimeException e) {
      LOG.warn("metrics: cannot read the job store ({}); silo_reports_job_store_up is 0 and the job gauges are"
          + " absent until it answers", e.getClass().getSimpleName());
      c = null;
    }
    lastRead = new Snapshot(c, now);
    return c;
  }

  /** One answered request: {@code route} is its template, or {@link #UNMATCHED}. */
  public void request(String route, String method, int status, Duration took) {
    String m = method == null ? "OTHER" : method.toUpperCase(Locale.ROOT);
    requests.labelValues(route, METHODS.contains(m) ? m : "OTHER", Integer.toString(status)).inc();
    requestDuration.labelValues(route).observe(took.toNanos() / 1e9);
  }

  /** A job that ended (COMPLETED or FAILED), seen once: its durations. */
  public void jobEnded(ReportJob job) {
    if (job.finishedAt() == null) {
      return;
    }
    String status = job.status().name();
    jobDuration.labelValues(status).observe(seconds(job.createdAt(), job.finishedAt()));
    if (job.startedAt() != null) {
      jobProcessingDuration.labelValues(status).observe(seconds(job.startedAt(), job.finishedAt()));
    }
  }

  private static double seconds(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toMillis() / 1000.0);
  }

  /**
   * What a label calls a submitter or notifier: its class's name without the suffix, in the settings' spelling
   * ({@code EmrServerlessSubmitter} is {@code emr-serverless}); {@code unknown} for none.
   */
  public static String kindOf(Object implementation, String suffix) {
    if (implementation == null) {
      return "unknown";
    }
    String name = implementation.getClass().getSimpleName();
    name = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
    return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** A worker submits with {@code submitter}: its failure counters start at 0 (see the constructor). */
  public void submitter(String submitter) {
    submissionFailures.labelValues(submitter, "failed");
    submissionFailures.labelValues(submitter, "throttled");
  }

  /** A submission that did not start a run; {@code submitter} is the submitter's kind ({@code local}, {@code emr}). */
  public void submissionFailed(String submitter, boolean throttled) {
    submissionFailures.labelValues(submitter, throttled ? "throttled" : "failed").inc();
  }

  /** A notification given up. */
  public void notificationFailed(String targetType) {
    notificationFailures.labelValues(targetType).inc();
  }

  /** The content type of {@link #scrape()}'s text. */
  public String contentType() {
    return text.getContentType();
  }

  /** Every metric in Prometheus' text format. */
  public byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    text.write(out, registry.scrape());
    return out.toByteArray();
  }
}
