package io.siloreports.worker.notify;

/** Sends one notification to one kind of target (webhook URLs, SNS topics). */
public interface Notifier {

  /** Whether {@code target} is one of this notifier's ({@code https://...}, {@code arn:aws:sns:...}). */
  boolean handles(String target);

  /** Sends {@code body} (JSON) about a finished job, retrying as this notifier does; throws when it gave up. */
  void send(String target, String subject, String body) throws Exception;

  /**
   * The same with the report's summary ({@code report_jobs} summary JSON; null for a FAILED job or an older report),
   * for targets that show figures (Slack, Teams); others send {@code body} alone.
   */
  default void send(String target, String subject, String body, String summaryJson) throws Exception {
    send(target, subject, body);
  }

  /**
   * Sends about {@code job}: a notifier that shows more than the JSON body (an email's summary table) reads the job;
   * the others send as {@link #send(String, String, String, String)} does.
   */
  default void send(io.siloreports.jobstore.ReportJob job, String target, String subject, String body,
      String summaryJson) throws Exception {
    send(target, subject, body, summaryJson);
  }

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
