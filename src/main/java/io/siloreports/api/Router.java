package io.siloreports.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Method and path templates ({@code /api/reports/{id}/events}) to handlers. A template segment in braces matches
 * one path segment; a trailing {@code {name...}} matches the rest of the path.
 */
final class Router {
  /** What a route does with an exchange. */
  interface Handler {
    void handle(Exchange exchange) throws Exception;
  }

  /** A route: method, template, whether it needs a bearer token. */
  record Route(String method, String template, boolean authenticated, Handler handler) {}

  /** A route that matched, with its path parameters. */
  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  Router add(String method, String template, boolean authenticated, Handler handler) {
    routes.add(new Route(method, template, authenticated, handler));
    return this;
  }

  List<Route> routes() {
    return List.copyOf(routes);
  }

  /** The route for a method and path; {@code methodMismatch} is set when only the method differs. */
  Match match(String method, String path, boolean[] methodMismatch) {
    for (Route r : routes) {
      Map<String, String> params = params(r.template(), path);
      if (params != null) {
        if (r.method().equals(method)) {
          return new Match(r, params);
        }
        methodMismatch[0] = true;
      }
    }
    return null;
  }

  private static Map<String, String> params(String template, String path) {
    String[] t = template.split("/", -1);
    String[] p = path.split("/", -1);
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < t.length; i++) {
      if (t[i].startsWith("{") && t[i].endsWith("...}")) {
        if (i >= p.length) {
          return null;
        }
        out.put(t[i].substring(1, t[i].length() - 4), String.join("/", java.util.Arrays.copyOfRange(p, i, p.length)));
        return out;
      }
      if (i >= p.length) {
        return null;
      }
      if (t[i].startsWith("{") && t[i].endsWith("}")) {
        if (p[i].isEmpty()) {
          return null;
        }
        out.put(t[i].substring(1, t[i].length() - 1), p[i]);
      } else if (!t[i].equals(p[i])) {
        return null;
      }
    }
    return t.length == p.length ? out : null;
  }
}
