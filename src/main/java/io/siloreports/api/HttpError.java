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
}
