package io.siloreports.worker.notify;

/** Sends one notification to one kind of target (webhook URLs, SNS topics). */
public interface Notifier {

  /** Whether {@code target} is one of this notifier's ({@code https://...}, {@code arn:aws:sns:...}). */
  boolean handles(String target);

  /**
   * What a finished job's notification says: the job, a subject, the JSON body every target kind can send (with the
   * link, see {@code Notifications#body}), and the report's summary ({@code report_jobs} summary JSON; null for a
   * FAILED job or an older report) for targets that show figures (email, Slack, Teams).
   */
  record Notification(io.siloreports.jobstore.ReportJob job, String subject, String body, String summaryJson) {}

  /** Sends {@code notification} to {@code target}, retrying as this notifier does; throws when it gave up. */
  void send(String target, Notification notification) throws Exception;

  /** A target as it may appear in logs and job events: without what could be a secret (a webhook's path, query). */
  static String shown(String target) {
    for (ChatTarget kind : ChatTarget.values()) {
      if (target.startsWith(kind.prefix)) {
        return kind.shownName + " " + shown(target.substring(kind.prefix.length())).replace("webhook ", "");
      }
    }
    if (target.startsWith("http://") || target.startsWith("https://")) {
      java.net.URI u = java.net.URI.create(target);
      return "webhook " + u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/...";
    }
    if (io.siloreports.reportjob.EmailRecipients.isEmail(target)) {
      return "email to a recipient at " + io.siloreports.reportjob.EmailRecipients.domain(target);
    }
    return target.startsWith("arn:aws:sns:") ? "SNS " + target : "(unknown target)";
  }
}
