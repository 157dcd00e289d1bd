package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An in-process HTTP endpoint that answers like an AWS service, for the submitters' tests: it checks each request's
 * Signature Version 4 the way AWS does (the algorithm of "Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html: canonical request, string to sign,
 * the derived signing key) against the one key pair it knows and the service's signing name, records the request,
 * throttles when asked, and lets the service's stand-in answer. Refusals are AWS' common errors: no Authorization
 * header is 403 MissingAuthenticationTokenException, an unknown access key 403 UnrecognizedClientException, a
 * signature that does not match (wrong secret, another service's scope, a changed request) 403
 * InvalidSignatureException.
 */
abstract class AwsEndpoint implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ACCESS_KEY = "test-key";
  static final String SECRET_KEY = "test-secret";
  private static final Pattern AUTH = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})");

  /** One request as it arrived (after the signature check); {@code target} is awsJson's X-Amz-Target. */
  record Call(String method, String path, Map<String, String> query, String contentType, String target,
      JsonNode body) {}

  /** An answer: status, JSON body, and for errors the error code (how each protocol carries it is the subclass's). */
  record Answer(int status, String body, String errorCode) {
    static Answer ok(Object json) {
      try {
        return new Answer(200, JSON.writeValueAsString(json), null);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final HttpServer server;
  private final String signingName;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  /** Refusals (status and error code), including the signature checks', in order. */
  final List<String> refusals = new CopyOnWriteArrayList<>();
  /** The next n requests are throttled. */
  final AtomicInteger throttleNext = new AtomicInteger();

  AwsEndpoint(String signingName) throws IOException {
    this.signingName = signingName;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::exchange);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The service's own answer to a signed request. */
  abstract Answer answer(Call call);

  /** How a throttled request is answered (the protocols differ). */
  abstract Answer throttled();

  /** Writes an error the way the protocol does. */
  abstract void writeError(HttpExchange x, Answer a) throws IOException;

  /** The content type of successful answers. */
  abstract String contentType();

  static Answer error(int status, String code, String message) {
    ObjectNode body = JSON.createObjectNode().put("message", message);
    return new Answer(status, body.toString(), code);
  }

  private void exchange(HttpExchange x) throws IOException {
    try (x) {
      byte[] body = x.getRequestBody().readAllBytes();
      Answer a = signatureRefusal(x, body);
      if (a == null) {
        Map<String, String> query = query(x.getRequestURI().getRawQuery());
        String contentType = x.getRequestHeaders().getFirst("Content-Type");
        JsonNode json = null;
        if (body.length > 0) {
          try {
            json = JSON.readTree(body);
          } catch (IOException e) {
            json = null;
          }
        }
        Call call = new Call(x.getRequestMethod(), x.getRequestURI().getPath(), query, contentType,
            x.getRequestHeaders().getFirst("X-Amz-Target"), json);
        calls.add(call);
        if (throttleNext.get() > 0) {
          throttleNext.decrementAndGet();
          a = throttled();
        } else if (body.length > 0 && json == null) {
          a = error(400, "SerializationException", "the request body is not JSON");
        } else {
          a = answer(call);
        }
      }
      if (a.errorCode() != null) {
        refusals.add(a.status() + " " + a.errorCode());
        writeError(x, a);
      } else {
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", contentType());
        x.sendResponseHeaders(a.status(), out.length);
        x.getResponseBody().write(out);
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  /** Null when the request is signed by {@link #ACCESS_KEY}/{@link #SECRET_KEY} for this service; else AWS' 403. */
  private Answer signatureRefusal(HttpExchange x, byte[] body) {
    String auth = x.getRequestHeaders().getFirst("Authorization");
    if (auth == null) {
      return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    Matcher m = AUTH.matcher(auth);
    String amzDate = x.getRequestHeaders().getFirst("X-Amz-Date");
    if (!m.matches() || amzDate == null || !amzDate.startsWith(m.group(2))) {
      return error(403, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders,"
          + " Signature and an X-Amz-Date of the credential's day");
    }
    if (!m.group(1).equals(ACCESS_KEY)) {
      return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    String scope = m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/aws4_request";
    StringBuilder canonical = new StringBuilder()
        .append(x.getRequestMethod()).append('\n')
        .append(canonicalPath(x.getRequestURI().getRawPath())).append('\n')
        .append(canonicalQuery(x.getRequestURI().getRawQuery())).append('\n');
    for (String h : m.group(5).split(";")) {
      List<String> values = x.getRequestHeaders().get(h);
      if (values == null) {
        return error(403, "InvalidSignatureException", "signed header " + h + " is missing");
      }
      List<String> trimmed = new ArrayList<>();
      values.forEach(v -> trimmed.add(v.trim().replaceAll(" +", " ")));
      canonical.append(h).append(':').append(String.join(",", trimmed)).append('\n');
    }
    canonical.append('\n').append(m.group(5)).append('\n').append(hex(sha256(body)));
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + SECRET_KEY).getBytes(StandardCharsets.UTF_8), m.group(2));
    key = hmac(key, m.group(3));
    key = hmac(key, signingName); // the service's own signing name, not the one the caller claims
    key = hmac(key, "aws4_request");
    String expected = hex(hmac(key, toSign));
    if (!m.group(4).equals(signingName) || !expected.equals(m.group(6))) {
      return error(403, "InvalidSignatureException", "The request signature we calculated does not match the"
          + " signature you provided. Check your AWS Secret Access Key and signing method.");
    }
    return null;
  }

  /** Each path segment URI-encoded once more, as SigV4 asks of every service but S3. */
  private static String canonicalPath(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    List<String> segments = new ArrayList<>();
    for (String segment : rawPath.split("/", -1)) {
      segments.add(encode(segment));
    }
    return String.join("/", segments);
  }

  private static String canonicalQuery(String rawQuery) {
    Map<String, String> sorted = new TreeMap<>();
    query(rawQuery).forEach((k, v) -> sorted.put(encode(k), encode(v)));
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join("&", parts);
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new TreeMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String p : rawQuery.split("&")) {
        int eq = p.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
        out.put(k, eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** The calls of one method and path pattern. */
  List<Call> calls(String method, String pathRegex) {
    return calls.stream().filter(c -> c.method().equals(method) && c.path().matches(pathRegex)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
