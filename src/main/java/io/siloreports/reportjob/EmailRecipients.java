package io.siloreports.reportjob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who may receive a report by email: addresses in the domains of {@code notify.email.allowed-domains} only, so the
 * service is never an open relay. Shared by the API (a request naming another domain is a 400) and the email
 * notifier (a schedule or stored request naming one is not sent). A target in a job's notify list is
 * {@code mailto:<address>}.
 */
public final class EmailRecipients {
  public static final String SCHEME = "mailto:";
  /** Local part and domain as a notification may carry them: no display names, no comments, no quoting. */
  private static final Pattern ADDRESS =
      Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

  private final Set<String> allowedDomains;

  /** {@code allowedDomains} comma-separated (the setting as written); null or blank allows no one. */
  public static EmailRecipients parse(String allowedDomains) {
    Set<String> domains = new TreeSet<>();
    if (allowedDomains != null) {
      for (String d : allowedDomains.split(",")) {
        if (!d.isBlank()) {
          domains.add(d.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return new EmailRecipients(domains);
  }

  private EmailRecipients(Set<String> allowedDomains) {
    this.allowedDomains = Set.copyOf(allowedDomains);
  }

  public boolean any() {
    return !allowedDomains.isEmpty();
  }

  /** Whether {@code target} is an email target ({@code mailto:...}). */
  public static boolean isEmail(String target) {
    return target.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /** The address of a {@code mailto:} target. */
  public static String address(String target) {
    return isEmail(target) ? target.substring(SCHEME.length()) : target;
  }

  /** An address's domain, lower case (how logs and refusals show a recipient: never the whole address). */
  public static String domain(String address) {
    int at = address.lastIndexOf('@');
    return at < 0 ? "" : address.substring(at + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * The {@code mailto:} targets of {@code addresses}, each checked: throws {@link IllegalArgumentException} naming the
   * first address that is malformed or whose domain is not allowed.
   */
  public List<String> targets(List<String> addresses) {
    List<String> out = new ArrayList<>();
    for (String a : addresses) {
      out.add(SCHEME + require(a));
    }
    return out;
  }

  /** {@code address} when it is well formed and in an allowed domain, else an {@link IllegalArgumentException}. */
  public String require(String address) {
    String a = address == null ? "" : address.trim();
    if (!ADDRESS.matcher(a).matches()) {
      throw new IllegalArgumentException("notify.email: '" + (a.length() > 80 ? a.substring(0, 80) + "..." : a)
          + "' is not an email address (name@domain)");
    }
    String domain = domain(a);
    if (!allowedDomains.contains(domain)) {
      throw new IllegalArgumentException("notify.email: the domain '" + domain + "' is not allowed"
          + (allowedDomains.isEmpty() ? " (notify.email.allowed-domains is not set: no email is sent)"
              : " (notify.email.allowed-domains: " + String.join(", ", allowedDomains) + ")"));
    }
    return a;
  }
}
