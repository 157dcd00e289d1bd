package io.siloreports.api;

/** A request the service answers with an error status and a reason (never a stack trace or SQL text). */
final class HttpError extends RuntimeException {
  final int status;

  HttpError(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  static HttpError badRequest(String reason) {
    return new HttpError(400, reason);
  }

  static HttpError notFound(String reason) {
    return new HttpError(404, reason);
  }

  /** 429 with {@code Retry-After} in seconds: a quota or a throttle, the reason saying which. */
  static HttpError tooManyRequests(com.sun.net.httpserver.HttpExchange http, long retryAfterSeconds, String reason) {
    http.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)));
    return new HttpError(429, reason);
  }

  /** Input echoed in a reason is cut short: a reason never carries a huge or hostile value whole. */
  static String clip(String s) {
    String printable = s.replaceAll("[\\p{Cntrl}]", "?");
    return printable.length() <= 40 ? printable : printable.substring(0, 40) + "...";
  }
}
