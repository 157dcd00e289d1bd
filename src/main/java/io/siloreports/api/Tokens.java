package io.siloreports.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Bearer tokens by name, from {@code api.tokens} ({@code name:token,name2:token2}); compared in constant time. */
final class Tokens {
  private final Map<String, byte[]> byName = new LinkedHashMap<>();

  Tokens(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("the API needs at least one bearer token: set api.tokens as"
          + " name:token[,name2:token2] (SILO_REPORTS_API_TOKENS)");
    }
    for (String entry : spec.split(",")) {
      int colon = entry.indexOf(':');
      String name = colon <= 0 ? "" : entry.substring(0, colon).trim();
      String token = colon <= 0 ? "" : entry.substring(colon + 1).trim();
      if (!name.matches("[A-Za-z0-9._@-]{1,64}") || token.length() < 8) {
        throw new IllegalArgumentException("api.tokens must be name:token pairs (names of [A-Za-z0-9._@-], tokens"
            + " of at least 8 characters), separated by commas");
      }
      byName.put(name, token.getBytes(StandardCharsets.UTF_8));
    }
  }

  int size() {
    return byName.size();
  }

  /** The name of the token in an {@code Authorization: Bearer <token>} header, or empty. */
  Optional<String> nameOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    String found = null;
    for (Map.Entry<String, byte[]> e : byName.entrySet()) {
      if (MessageDigest.isEqual(given, e.getValue())) {
        found = e.getKey(); // no early exit: the time taken does not say which entry matched
      }
    }
    return Optional.ofNullable(found);
  }
}
