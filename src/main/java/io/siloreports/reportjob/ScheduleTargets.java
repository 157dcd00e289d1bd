package io.siloreports.reportjob;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which notification targets a schedule made through the API may name: whoever holds a token must not make the
 * worker call a URL of their choosing (an address inside the network, say). So an API schedule's {@code notify} may
 * hold {@code mailto:} addresses in the allowed domains, Slack incoming webhooks ({@code slack:https://hooks.slack.com/...}),
 * Teams workflow webhooks ({@code teams:https://<...>.webhook.office.com/...} or {@code <...>.logic.azure.com}), and
 * any target the operator configured ({@code notify.targets}); other URLs and SNS topics only through the settings.
 */
public final class ScheduleTargets {
  private static final Set<String> TEAMS_HOST_SUFFIXES = Set.of(".webhook.office.com", ".logic.azure.com",
      ".environment.api.powerplatform.com");

  private final Set<String> configured;
  private final EmailRecipients recipients;

  public ScheduleTargets(List<String> configured, EmailRecipients recipients) {
    this.configured = Set.copyOf(configured);
    this.recipients = recipients;
  }

  /** Throws {@link IllegalArgumentException} naming the first target an API schedule may not have, and why. */
  public void require(List<String> targets) {
    for (String t : targets) {
      if (configured.contains(t)) {
        continue;
      }
      if (EmailRecipients.isEmail(t)) {
        recipients.require(EmailRecipients.address(t));
      } else if (t.startsWith("slack:")) {
        requireHttpsHost(t, t.substring("slack:".length()), h -> h.equals("hooks.slack.com"), "hooks.slack.com");
      } else if (t.startsWith("teams:")) {
        requireHttpsHost(t, t.substring("teams:".length()),
            h -> TEAMS_HOST_SUFFIXES.stream().anyMatch(h::endsWith), "*.webhook.office.com or *.logic.azure.com");
      } else {
        throw new IllegalArgumentException("notify: a schedule made through the API may name email recipients,"
            + " slack:https://hooks.slack.com/... and teams:https://... webhooks, or a target of notify.targets; '"
            + shown(t) + "' is none of them (ask the operator to add it to notify.targets)");
      }
    }
  }

  private static void requireHttpsHost(String target, String url, java.util.function.Predicate<String> host,
      String expected) {
    URI u;
    try {
      u = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("notify: '" + shown(target) + "' is not a URL");
    }
    String h = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    if (!"https".equalsIgnoreCase(u.getScheme()) || u.getPort() != -1 || u.getUserInfo() != null || !host.test(h)) {
      throw new IllegalArgumentException("notify: '" + shown(target) + "' must be an https URL on " + expected);
    }
  }

  /** A target as an error may show it: scheme and host, never a webhook's secret path. */
  private static String shown(String target) {
    int slashes = target.indexOf("://");
    if (slashes < 0) {
      return target.length() > 40 ? target.substring(0, 40) + "..." : target;
    }
    int path = target.indexOf('/', slashes + 3);
    return path < 0 ? target : target.substring(0, path) + "/...";
  }
}
