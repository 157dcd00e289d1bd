package io.siloreports.worker.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A stand-in for Amazon SES's v2 {@code SendEmail}, following the SES API v2 Reference, "SendEmail"
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html, API version 2019-09-27, the page as
 * published 2026): {@code POST /v2/email/outbound-emails} with a JSON body whose one required member is
 * {@code Content}, holding exactly one of {@code Simple}, {@code Raw} ({@code Data}: the base64 of a MIME message) or
 * {@code Template}; the answer {@code 200 {"MessageId": "..."}}; errors as the rest-json protocol sends them (status,
 * {@code x-amzn-ErrorType}, {@code {"message": ...}}): {@code BadRequestException} (400) for a malformed request,
 * {@code MessageRejected} (400) when told to, and a request without a Signature Version 4 {@code Authorization} for the
 * service {@code ses} refused with 403 as AWS does ({@code MissingAuthenticationTokenException},
 * {@code IncompleteSignatureException}).
 */
final class SesStandIn implements AutoCloseable {
  static final String PATH = "/v2/email/outbound-emails";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SIGV4 = Pattern.compile("AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+/\\d{8}/[a-z0-9-]+"
      + "/ses/aws4_request, ?SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, ?Signature=[0-9a-f]{64}");

  /** One accepted message: its JSON request and the raw MIME it carried. */
  record Sent(JsonNode request, byte[] raw) {}

  final List<Sent> sent = new CopyOnWriteArrayList<>();
  volatile boolean reject;
  private final HttpServer server;

  SesStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      byte[] body = x.getRequestBody().readAllBytes();
      if (!x.getRequestMethod().equals("POST") || !x.getRequestURI().getPath().equals(PATH)) {
        error(x, 404, "NotFoundException", "no such resource: " + x.getRequestMethod() + " " + x.getRequestURI());
        return;
      }
      String auth = x.getRequestHeaders().getFirst("Authorization");
      if (auth == null) {
        error(x, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        return;
      }
      if (!SIGV4.matcher(auth).matches() || x.getRequestHeaders().getFirst("X-Amz-Date") == null) {
        error(x, 403, "IncompleteSignatureException", "the Authorization header is not a SigV4 signature for ses");
        return;
      }
      String type = x.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.startsWith("application/json")) {
        error(x, 400, "BadRequestException", "the body must be JSON (Content-Type: application/json)");
        return;
      }
      JsonNode req;
      try {
        req = JSON.readTree(body);
      } catch (IOException e) {
        error(x, 400, "BadRequestException", "the body is not JSON");
        return;
      }
      JsonNode content = req == null ? null : req.get("Content");
      if (content == null || !content.isObject()) {
        error(x, 400, "BadRequestException", "Content is required");
        return;
      }
      int kinds = (content.has("Simple") ? 1 : 0) + (content.has("Raw") ? 1 : 0) + (content.has("Template") ? 1 : 0);
      if (kinds != 1) {
        error(x, 400, "BadRequestException", "Content must hold exactly one of Simple, Raw and Template");
        return;
      }
      byte[] raw = null;
      if (content.has("Raw")) {
        try {
          raw = Base64.getDecoder().decode(content.path("Raw").path("Data").asText(""));
        } catch (IllegalArgumentException e) {
          error(x, 400, "BadRequestException", "Raw.Data is not base64");
          return;
        }
        String head = new String(raw, StandardCharsets.UTF_8);
        if (raw.length == 0 || !head.contains("\r\n\r\n") || !(head.startsWith("From:") || head.contains("\r\nFrom:"))
            && !req.hasNonNull("FromEmailAddress")) {
          error(x, 400, "BadRequestException", "Raw.Data must be a MIME message with a sender");
          return;
        }
      }
      if (reject) {
        error(x, 400, "MessageRejected", "Email address is not verified.");
        return;
      }
      sent.add(new Sent(req, raw));
      byte[] out = ("{\"MessageId\":\"m-" + sent.size() + "\"}").getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.sendResponseHeaders(200, out.length);
      x.getResponseBody().write(out);
    }
  }

  private static void error(HttpExchange x, int status, String type, String message) throws IOException {
    byte[] out = JSON.createObjectNode().put("message", message).toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.getResponseHeaders().set("x-amzn-ErrorType", type);
    x.sendResponseHeaders(status, out.length);
    x.getResponseBody().write(out);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
