package io.siloreports.api;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The headers every answer carries for the browser's sake, and CORS. The page loads only its own script and style
 * ({@code /app.js}, {@code /app.css}: no inline code, so a strict policy needs no hashes), may not be framed, sends no
 * referrer (download links carry signatures). CORS lets the listed origins' pages call the API with a bearer token in
 * a header: no cookies, so no credentials mode; an origin not on the list gets no CORS header and the browser blocks
 * it.
 */
final class EdgeHeaders {
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src"
      + " 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
  static final String ALLOWED_HEADERS = "Authorization, Content-Type, X-Request-Id";
  static final Duration PREFLIGHT_MAX_AGE = Duration.ofMinutes(10);

  private final Set<String> corsOrigins;
  private final Duration hstsMaxAge;

  /**
   * @param corsOrigins the origins ({@code scheme://host[:port]}) whose pages may call the API
   * @param hstsMaxAge null when the service does not speak TLS itself (HSTS over plain HTTP is ignored by browsers,
   *     and a proxy in front sets its own)
   */
  EdgeHeaders(Set<String> corsOrigins, Duration hstsMaxAge) {
    Set<String> origins = new LinkedHashSet<>();
    for (String o : corsOrigins) {
      origins.add(origin(o));
    }
    this.corsOrigins = Set.copyOf(origins);
    this.hstsMaxAge = hstsMaxAge;
  }

  /** An origin as browsers send it: lower-case scheme and host, the port only when given; anything else refused. */
  static String origin(String configured) {
    URI u;
    try {
      u = new URI(configured.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("api.cors.allowed-origins: '" + configured + "' is not an origin", e);
    }
    boolean bare = (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null
        && u.getRawFragment() == null && u.getRawUserInfo() == null;
    if (u.getScheme() == null || u.getHost() == null || !bare
        || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
      throw new IllegalArgumentException("api.cors.allowed-origins: '" + configured
          + "' is not an origin (scheme://host[:port], nothing after)");
    }
    String o = (u.getScheme() + "://" + u.getHost()).toLowerCase(java.util.Locale.ROOT);
    return u.getPort() < 0 ? o : o + ":" + u.getPort();
  }

  /** The headers of every answer. */
  void security(Headers response) {
    response.set("Content-Security-Policy", CSP);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
    if (hstsMaxAge != null) {
      response.set("Strict-Transport-Security", "max-age=" + hstsMaxAge.toSeconds());
    }
  }

  boolean corsAllowed(String origin) {
    return origin != null && corsOrigins.contains(origin);
  }

  /** CORS headers of an answer to {@code origin}; none when it is not listed. */
  void cors(String origin, Headers response) {
    if (corsOrigins.isEmpty()) {
      return;
    }
    response.add("Vary", "Origin");
    if (corsAllowed(origin)) {
      response.set("Access-Control-Allow-Origin", origin);
      response.set("Access-Control-Expose-Headers", "Retry-After, X-Request-Id");
    }
  }

  /** A preflight: {@code OPTIONS} with the method the page means to use. */
  static boolean isPreflight(String method, Headers request) {
    return method.equals("OPTIONS") && request.getFirst("Origin") != null
        && request.getFirst("Access-Control-Request-Method") != null;
  }

  /** The answer's headers to an allowed origin's preflight. */
  void preflight(String origin, Headers response) {
    cors(origin, response);
    response.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
    response.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    response.set("Access-Control-Max-Age", Long.toString(PREFLIGHT_MAX_AGE.toSeconds()));
  }
}
