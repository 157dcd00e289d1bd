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
    return target.startsWith("arn:aws:sns:") ? "SNS " + target : "(unknown target)";
  }
}
