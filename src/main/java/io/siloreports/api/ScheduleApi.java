package io.siloreports.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.siloreports.jobstore.JdbcScheduleStore;
import io.siloreports.jobstore.StoredSchedule;
import io.siloreports.reportjob.ReportRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /api/schedules}: the stored report schedules, listed, created, changed, paused, resumed and deleted (the
 * worker reads them every round). A schedule's fields are checked as the {@code schedule.<name>.*} settings are (an
 * unknown zone or a bad time is a 400 with the reason); who created or last changed it is the token's name.
 */
final class ScheduleApi {
  private static final Set<String> FIELDS = Set.of("cron", "at", "zone", "days", "range", "silos", "format",
      "notify", "attach");

  private final JdbcScheduleStore store;
  private final ScheduleCheck check;

  ScheduleApi(JdbcScheduleStore store, ScheduleCheck check) {
    this.store = store;
    this.check = check;
  }

  void routes(Router r) {
    r.add("GET", "/api/schedules", true, this::list);
    r.add("POST", "/api/schedules", true, this::create);
    r.add("GET", "/api/schedules/{name}", true, x -> x.json(200, json(found(x.path("name")))));
    r.add("PUT", "/api/schedules/{name}", true, this::change);
    r.add("DELETE", "/api/schedules/{name}", true, this::delete);
    r.add("POST", "/api/schedules/{name}/pause", true, x -> pause(x, true));
    r.add("POST", "/api/schedules/{name}/resume", true, x -> pause(x, false));
  }

  private void list(Exchange x) throws Exception {
    ObjectNode out = Exchange.JSON.createObjectNode();
    var list = out.putArray("schedules");
    store.list().forEach(s -> list.add(json(s)));
    x.json(200, out);
  }

  private void create(Exchange x) throws Exception {
    JsonNode body = required(x.jsonBody());
    String name = body.hasNonNull("name") ? body.get("name").asText() : null;
    if (name == null || name.isBlank()) {
      throw HttpError.badRequest("name is missing (1-64 of [A-Za-z0-9_-])");
    }
    String recipients = recipients(body);
    Map<String, String> fields = fields(name, body, recipients, Set.of());
    if (!store.create(name, fields, recipients, "api", x.user)) {
      throw new HttpError(409, "a schedule named " + name + " exists (PUT /api/schedules/" + name + " changes it)");
    }
    x.json(201, json(found(name)));
  }

  private void change(Exchange x) throws Exception {
    String name = x.path("name");
    StoredSchedule before = found(name);
    JsonNode body = required(x.jsonBody());
    if (body.hasNonNull("name") && !body.get("name").asText().equals(name)) {
      throw HttpError.badRequest("a schedule cannot be renamed: create the new name, delete the old");
    }
    String recipients = recipients(body);
    Set<String> kept = Set.copyOf(ReportRequest.parseTargets(before.fields().get("notify")));
    Map<String, String> fields = fields(name, body, recipients, kept);
    if (!store.update(name, fields, recipients, "api", x.user)) {
      throw HttpError.notFound("no schedule named " + HttpError.clip(name));
    }
    x.json(200, json(found(name)));
  }

  private void pause(Exchange x, boolean paused) throws Exception {
    String name = x.path("name");
    if (!store.setPaused(name, paused, x.user)) {
      throw HttpError.notFound("no schedule named " + HttpError.clip(name));
    }
    x.json(200, json(found(name)));
  }

  private void delete(Exchange x) throws Exception {
    String name = x.path("name");
    if (!store.delete(name)) {
      throw HttpError.notFound("no schedule named " + HttpError.clip(name));
    }
    x.empty(204);
  }

  private StoredSchedule found(String name) {
    return store.find(name).orElseThrow(() -> HttpError.notFound("no schedule named " + HttpError.clip(name)));
  }

  private static JsonNode required(JsonNode body) {
    if (body == null) {
      throw HttpError.badRequest("the body is missing: a JSON object with name and at (HH:mm) or cron");
    }
    return body;
  }

  /** The schedule fields of {@code body} as text (arrays joined with commas), checked. */
  private Map<String, String> fields(String name, JsonNode body, String recipients, Set<String> keptTargets) {
    Map<String, String> fields = new TreeMap<>();
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (f.equals("name") || f.equals("recipients")) {
        continue;
      }
      if (!FIELDS.contains(f)) {
        throw HttpError.badRequest("unknown field '" + HttpError.clip(f) + "'; the fields are name, recipients, "
            + String.join(", ", new java.util.TreeSet<>(FIELDS)));
      }
      JsonNode v = body.get(f);
      if (v.isNull()) {
        continue;
      }
      if (v.isArray()) {
        List<String> parts = new ArrayList<>();
        v.forEach(e -> parts.add(e.asText()));
        fields.put(f, String.join(",", parts));
      } else if (v.isValueNode()) {
        fields.put(f, v.asText());
      } else {
        throw HttpError.badRequest(f + " must be a string, a number or an array");
      }
    }
    try {
      check.check(name, fields, recipients, keptTargets);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(e.getMessage());
    }
    fields.putIfAbsent("zone", "UTC");
    fields.putIfAbsent("format", "xlsx");
    return fields;
  }

  private static String recipients(JsonNode body) {
    JsonNode r = body.get("recipients");
    if (r == null || r.isNull()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    if (r.isArray()) {
      r.forEach(e -> parts.add(e.asText()));
    } else if (r.isTextual()) {
      parts.addAll(List.of(r.asText().split("[,\\s]+")));
    } else {
      throw HttpError.badRequest("recipients must be an array of email addresses");
    }
    parts.removeIf(String::isBlank);
    if (parts.size() > RequestJson.MAX_EMAIL_RECIPIENTS) {
      throw HttpError.badRequest("recipients: at most " + RequestJson.MAX_EMAIL_RECIPIENTS + " addresses");
    }
    return parts.isEmpty() ? null : String.join(",", parts.stream().map(String::trim).toList());
  }

  private static ObjectNode json(StoredSchedule s) {
    ObjectNode out = Exchange.JSON.createObjectNode();
    out.put("name", s.name());
    s.fields().forEach(out::put);
    out.put("recipients", s.recipients());
    out.put("paused", s.paused());
    out.put("source", s.source());
    out.put("created_at", s.createdAt().toString());
    out.put("updated_at", s.updatedAt().toString());
    out.put("created_by", s.createdBy());
    out.put("updated_by", s.updatedBy());
    return out;
  }
}
