package io.siloreports.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP request and its answer: path parameters, query, JSON body in; JSON, text or a file out. */
final class Exchange {
  static final ObjectMapper JSON = new ObjectMapper();
  /** Request bodies are small JSON documents; anything bigger is refused unread. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  final HttpExchange http;
  final Map<String, String> pathParams;
  /** The name of the bearer token the request came with; null on routes without authentication. */
  String user;
  private Map<String, String> query;
  private int status;

  Exchange(HttpExchange http, Map<String, String> pathParams) {
    this.http = http;
    this.pathParams = pathParams;
  }

  String method() {
    return http.getRequestMethod();
  }

  String path(String name) {
    return pathParams.get(name);
  }

  /** A query parameter, or null; a parameter given twice is a bad request. */
  String query(String name) {
    if (query == null) {
      query = new LinkedHashMap<>();
      String raw = http.getRequestURI().getRawQuery();
      if (raw != null && !raw.isEmpty()) {
        for (String pair : raw.split("&")) {
          int eq = pair.indexOf('=');
          String k = decode(eq < 0 ? pair : pair.substring(0, eq));
          String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
          if (query.put(k, v) != null) {
            throw HttpError.badRequest("query parameter '" + k + "' is given twice");
          }
        }
      }
    }
    return query.get(name);
  }

  /** A query parameter that must be given. */
  String requiredQuery(String name) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      throw HttpError.badRequest("query parameter '" + name + "' is required");
    }
    return v;
  }

  /** A whole-number query parameter between {@code min} and {@code max}; {@code fallback} when absent. */
  int intQuery(String name, int fallback, int min, int max) {
    String v = query(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw HttpError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a whole number, got '" + HttpError.clip(v) + "'");
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest("the query string is not valid URL encoding");
    }
  }

  /** The JSON body, or null when there is none; a body that is not a JSON object is a bad request. */
  JsonNode jsonBody() throws IOException {
    byte[] body;
    try (InputStream in = http.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new HttpError(413, "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }
    if (new String(body, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw HttpError.badRequest("the body is not valid JSON");
    }
    if (n == null || !n.isObject()) {
      throw HttpError.badRequest("the body must be a JSON object");
    }
    return n;
  }

  /** The request's id, as its answer carries it. */
  String requestId() {
    return http.getResponseHeaders().getFirst(ApiServer.REQUEST_ID_HEADER);
  }

  String header(String name) {
    return http.getRequestHeaders().getFirst(name);
  }

  int status() {
    return status;
  }

  void json(int code, Object body) throws IOException {
    send(code, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
  }

  void text(int code, String contentType, String body) throws IOException {
    send(code, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  void file(Path file, String contentType, String downloadName) throws IOException {
    status = 200;
    http.getResponseHeaders().set("Content-Type", contentType);
    http.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + downloadName + "\"");
    http.getResponseHeaders().set("Cache-Control", "no-store"); // a report is private: no shared cache keeps it
    http.sendResponseHeaders(200, Files.size(file));
    try (OutputStream out = http.getResponseBody()) {
      Files.copy(file, out);
    }
  }

  /** A redirect (303: the client GETs {@code location}); the location is a header, never logged. */
  void redirect(int code, String location) throws IOException {
    http.getResponseHeaders().set("Location", location);
    http.getResponseHeaders().set("Cache-Control", "no-store"); // a fresh download on each click
    empty(code);
  }

  /** An answer without a body (204). */
  void empty(int code) throws IOException {
    status = code;
    http.sendResponseHeaders(code, -1);
    http.close();
  }

  private void send(int code, String contentType, byte[] bytes) throws IOException {
    status = code;
    http.getResponseHeaders().set("Content-Type", contentType);
    http.getResponseHeaders().set("Cache-Control", "no-store");
    http.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = http.getResponseBody()) {
      out.write(bytes);
    }
  }
}
