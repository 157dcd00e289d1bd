package io.siloreports.api;

import com.sun.net.httpserver.HttpExchange;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a request comes from: the client's address (the socket's peer, or what a trusted proxy says in
 * {@code X-Forwarded-For}) and the name of its bearer token, with failed attempts throttled per address.
 */
final class Authentication {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final Tokens tokens;
  private final TrustedProxies proxies;
  private final AuthThrottle throttle;

  Authentication(Tokens tokens, TrustedProxies proxies, AuthThrottle throttle) {
    this.tokens = tokens;
    this.proxies = proxies;
    this.throttle = throttle;
  }

  int tokenCount() {
    return tokens.size();
  }

  /** The client's address, as the access log and the throttle name it. */
  String client(HttpExchange http) {
    return proxies.client(http.getRemoteAddress().getAddress(), http.getRequestHeaders().get("X-Forwarded-For"));
  }

  /**
   * The token's name; 401 without a valid token, 429 without checking it when the client's address failed too often
   * (a WARN line names the address and the route, never the token, and only a few lines per window).
   */
  String nameOf(HttpExchange http, Router.Route route) {
    String client = client(http);
    Optional<Long> wait = throttle.refusedFor(client);
    if (wait.isPresent()) {
      throw HttpError.tooManyRequests(http, wait.get(), "too many failed authentications from this address: try"
          + " again in " + wait.get() + " s");
    }
    Optional<String> name = tokens.nameOf(http.getRequestHeaders().getFirst("Authorization"));
    if (name.isEmpty()) {
      throttle.failed(client, route.method() + " " + route.template()).ifPresent(LOG::warn);
      http.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"silo-reports\"");
      throw new HttpError(401, "a valid bearer token is required (Authorization: Bearer <token>)");
    }
    return name.get();
  }
}
