package io.siloreports.worker.schedule;

import io.siloreports.reportjob.ReportJobLifecycle;
import io.siloreports.worker.Duty;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the PENDING job of each schedule's latest tick, once: a worker's duty, every round. The job id names the
 * schedule and the tick ({@code sched-daily-20261130T0605Z}) and the store refuses a second row for the same tick, so
 * two workers, or a worker's rounds, never create a run twice. Only the latest tick is created: after a restart, the
 * ticks missed meanwhile give one run, not one per tick. A schedule in a time zone fires at its local time; the instant
 * of a local day's run is a function of the day (see {@link Cron#instantOf}), so the key (schedule, tick) is also
 * (schedule, local day and time): one run per local day for a daily schedule, whichever worker gets there first.
 */
public final class Scheduler implements Duty {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  private static final DateTimeFormatter TICK = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
      .withZone(ZoneOffset.UTC);

  private final ReportJobLifecycle jobs;
  private final Supplier<List<ReportSchedule>> schedules;
  private final String source;

  public Scheduler(ReportJobLifecycle jobs, List<ReportSchedule> schedules) {
    List<ReportSchedule> fixed = List.copyOf(schedules);
    this.jobs = jobs;
    this.schedules = () -> fixed;
    this.source = fixed.size() + " schedule(s) (" + String.join(", ", fixed.stream()
        .map(s -> s.name() + " '" + s.cron() + "' " + s.zone()).toList()) + ")";
  }

  /** The schedules {@code schedules} gives, read again every round (those stored, which the API changes). */
  public Scheduler(ReportJobLifecycle jobs, Supplier<List<ReportSchedule>> schedules, String describe) {
    this.jobs = jobs;
    this.schedules = schedules;
    this.source = describe;
  }

  /** The job id of a schedule's run at {@code tick}. */
  public static String jobId(String schedule, Instant tick) {
    return "sched-" + schedule + "-" + TICK.format(tick);
  }

  @Override
  public void run(Instant now) {
    for (ReportSchedule s : schedules.get()) {
      Instant tick = s.latestRunAtOrBefore(now);
      if (tick == null) {
        continue;
      }
      Optional<Instant> last = jobs.store().lastScheduledRun(s.name());
      if (last.isPresent() && !tick.isAfter(last.get())) {
        continue;
      }
      Optional<?> created = jobs.createScheduled(jobId(s.name(), tick), s.requestAt(tick), s.name(), tick);
      if (created.isPresent()) {
        Instant previous = s.latestRunAtOrBefore(tick.minusSeconds(60));
        boolean missed = last.isPresent() && previous != null && previous.isAfter(last.get());
        LOG.info("schedule {} ({} {}): created {} for {}{}", s.name(), s.cron(), s.zone(), jobId(s.name(), tick), tick,
            missed ? "; earlier ticks since " + last.get() + " were missed (one run for the latest)" : "");
      }
    }
  }

  @Override
  public String describe() {
    return source;
  }
}
