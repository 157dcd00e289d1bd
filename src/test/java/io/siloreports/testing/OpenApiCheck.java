package io.siloreports.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Checks a JSON answer against the schema the service's OpenAPI document gives for it: types, required properties,
 * enums, nullability, {@code $ref}s. Small on purpose: only the parts of JSON Schema the document uses.
 */
public final class OpenApiCheck {
  private final JsonNode doc;

  public OpenApiCheck(JsonNode doc) {
    this.doc = doc;
  }

  /** Problems of {@code answer} for {@code method path} answering {@code status}; empty when it conforms. */
  public List<String> problems(String method, String path, int status, JsonNode answer) {
    JsonNode op = doc.path("paths").path(path).path(method.toLowerCase(java.util.Locale.ROOT));
    if (op.isMissingNode()) {
      return List.of(method + " " + path + " is not in the document");
    }
    JsonNode response = resolve(op.path("responses").path(Integer.toString(status)));
    if (response.isMissingNode()) {
      return List.of(method + " " + path + " does not document status " + status);
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    List<String> out = new ArrayList<>();
    if (!schema.isMissingNode()) {
      check(resolve(schema), answer, "$", out);
    }
    return out;
  }

  private JsonNode resolve(JsonNode n) {
    while (n.has("$ref")) {
      String[] parts = n.get("$ref").asText().substring(2).split("/");
      JsonNode t = doc;
      for (String p : parts) {
        t = t.path(p);
      }
      n = t;
    }
    return n;
  }

  private void check(JsonNode schema, JsonNode value, String where, List<String> out) {
    schema = resolve(schema);
    if (value == null || value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        out.add(where + " is null");
      }
      return;
    }
    if (schema.has("oneOf")) {
      for (JsonNode alt : schema.get("oneOf")) {
        List<String> p = new ArrayList<>();
        check(alt, value, where, p);
        if (p.isEmpty()) {
          return;
        }
      }
      out.add(where + " matches none of its alternatives");
      return;
    }
    String type = schema.path("type").asText("");
    boolean ok = switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "boolean" -> value.isBoolean();
      default -> true;
    };
    if (!ok) {
      out.add(where + " is not " + type + ": " + value);
      return;
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode e : schema.get("enum")) {
        found |= e.equals(value);
      }
      if (!found) {
        out.add(where + " = " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      for (JsonNode r : schema.path("required")) {
        if (!value.has(r.asText())) {
          out.add(where + " lacks " + r.asText());
        }
      }
      JsonNode props = schema.path("properties");
      for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (props.has(f)) {
          check(props.get(f), value.get(f), where + "." + f, out);
        } else if (props.size() > 0) {
          out.add(where + "." + f + " is not documented");
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        check(schema.get("items"), item, where + "[" + i++ + "]", out);
      }
    }
  }
}
