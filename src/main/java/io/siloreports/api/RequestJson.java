package io.siloreports.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.siloreports.model.Times;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.ReportRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A report request's JSON body ({@code silos}, {@code from}, {@code to}, {@code as_of}, {@code format}, all optional)
 * and the times and ranges of query strings, read strictly: an unknown field, a wrong type, a time out of range or a
 * range too long is a 400 with a reason. A request's range and cut-off are checked once its defaults are applied
 * ({@link ReportRequest#requireRunnable}), where the job is created.
 */
final class RequestJson {
  /** The largest silo list and range a request may ask for: more is a mistake or an attack. */
  static final int MAX_SILOS = ReportRequest.MAX_SILOS;
  static final Duration MAX_RANGE = ReportRequest.MAX_RANGE;
  /** The most addresses one request may have the report emailed to. */
  static final int MAX_EMAIL_RECIPIENTS = 50;
  private static final Set<String> REQUEST_FIELDS = Set.of("silos", "from", "to", "as_of", "format", "notify");
  private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-01-01T00:00:00Z");

  private RequestJson() {}

  /** The request a body asks for; no body means every default; {@code notify.email} only to {@code recipients}. */
  static ReportRequest request(JsonNode body, EmailRecipients recipients) {
    if (body == null) {
      return new ReportRequest(null, null, List.of(), null);
    }
    body.fieldNames().forEachRemaining(f -> {
      if (!REQUEST_FIELDS.contains(f)) {
        throw HttpError.badRequest("unknown field '" + HttpError.clip(f) + "' (known: silos, from, to, as_of, format,"
            + " notify)");
      }
    });
    List<Integer> silos = silos(body.get("silos"));
    Instant from = optionalInstant(body, "from");
    Instant to = optionalInstant(body, "to");
    Instant asOf = optionalInstant(body, "as_of");
    ReportRequest.Format format = null;
    JsonNode f = body.get("format");
    if (f != null && !f.isNull()) {
      try {
        format = ReportRequest.Format.parse(f.asText());
      } catch (IllegalArgumentException e) {
        throw HttpError.badRequest(e.getMessage());
      }
    }
    JsonNode notify = body.get("notify");
    return new ReportRequest(from, to, silos, asOf, format, notify(notify, recipients), attach(notify));
  }

  /** {@code notify.attach}: a boolean, meaningful with {@code notify.email}. */
  private static boolean attach(JsonNode notify) {
    JsonNode a = notify == null ? null : notify.get("attach");
    if (a == null || a.isNull()) {
      return false;
    }
    if (!a.isBoolean()) {
      throw HttpError.badRequest("notify.attach must be true or false");
    }
    if (a.asBoolean() && (notify.get("email") == null || notify.get("email").isEmpty())) {
      throw HttpError.badRequest("notify.attach attaches the report to the emails of notify.email: give the addresses");
    }
    return a.asBoolean();
  }

  /**
   * {@code "notify": {"email": ["name@domain", ...], "attach": true}}: the {@code mailto:} targets, each address in an
   * allowed domain (else a 400 naming the domain). Only email: a request cannot make the worker call a URL of its
   * choosing.
   */
  private static List<String> notify(JsonNode n, EmailRecipients recipients) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isObject()) {
      throw HttpError.badRequest("notify must be an object like {\"email\": [\"name@example.com\"]}");
    }
    n.fieldNames().forEachRemaining(f -> {
      if (!f.equals("email") && !f.equals("attach")) {
        throw HttpError.badRequest("unknown field 'notify." + HttpError.clip(f) + "' (known: notify.email,"
            + " notify.attach)");
      }
    });
    JsonNode email = n.get("email");
    if (email == null || email.isNull()) {
      return List.of();
    }
    if (!email.isArray() || email.size() > MAX_EMAIL_RECIPIENTS) {
      throw HttpError.badRequest("notify.email must be an array of at most " + MAX_EMAIL_RECIPIENTS + " addresses");
    }
    List<String> addresses = new ArrayList<>();
    for (JsonNode a : email) {
      if (!a.isTextual()) {
        throw HttpError.badRequest("notify.email must hold addresses as texts");
      }
      addresses.add(a.asText());
    }
    try {
      return recipients.targets(addresses);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(e.getMessage());
    }
  }

  private static List<Integer> silos(JsonNode s) {
    List<Integer> silos = new ArrayList<>();
    if (s != null && !s.isNull()) {
      if (s.isTextual()) {
        try {
          silos.addAll(ReportRequest.parseSilos(s.asText()));
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest("silos: " + e.getMessage());
        }
      } else if (s.isArray()) {
        for (JsonNode n : s) {
          if (!n.isInt() || n.asInt() < 0) {
            throw HttpError.badRequest("silos must be non-negative integers, or a text like \"1,3-5\" or \"all\"");
          }
          silos.add(n.asInt());
        }
      } else {
        throw HttpError.badRequest("silos must be an array of silo ids, or a text like \"1,3-5\" or \"all\"");
      }
    }
    if (silos.size() > MAX_SILOS) {
      throw HttpError.badRequest("at most " + MAX_SILOS + " silos per report");
    }
    if (silos.stream().distinct().count() != silos.size()) {
      throw HttpError.badRequest("a silo is listed twice");
    }
    return silos;
  }

  private static Instant optionalInstant(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw HttpError.badRequest(field + " must be an ISO-8601 time or date text");
    }
    return instant(n.asText(), field);
  }

  /** An ISO-8601 time or date between 1970 and 9999. */
  static Instant instant(String text, String field) {
    try {
      Instant t = Times.parseInstant(text);
      if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
        throw HttpError.badRequest(field + " is out of range: " + HttpError.clip(text));
      }
      return t;
    } catch (java.time.format.DateTimeParseException e) {
      throw HttpError.badRequest(field + " must be an ISO-8601 time or date (2026-11-20 or 2026-11-20T14:00:00Z),"
          + " got '" + HttpError.clip(text) + "'");
    }
  }

  /** {@code from} before {@code to}, at most {@link #MAX_RANGE} apart. */
  static void requireRange(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw HttpError.badRequest("from must be before to");
    }
    if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
      throw HttpError.badRequest("the range is longer than " + MAX_RANGE.toDays() + " days");
    }
  }
}
