package io.siloreports.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer tokens by name, from {@code api.tokens}: {@code name:token} (at least {@value #MIN_LENGTH} characters) or
 * {@code name:sha256:<64 hex>} (the token's SHA-256, so the configuration need not hold the token at all). Only the
 * hashes are kept; a token is compared against every entry in constant time. Errors name an entry by its name, never
 * by its token.
 */
public final class Tokens {
  /** Shorter tokens can be guessed; 32 URL-safe base64 characters are 192 bits. */
  public static final int MIN_LENGTH = 32;
  private static final String HASHED = "sha256:";
  private final Map<String, byte[]> hashByName = new LinkedHashMap<>();

  Tokens(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("the API needs at least one bearer token: set api.tokens as"
          + " name:token[,name2:sha256:<hex>] (SILO_REPORTS_API_TOKENS; `silo-reports token new <name>` makes one)");
    }
    int position = 0;
    for (String entry : spec.split(",")) {
      position++;
      int colon = entry.indexOf(':');
      String name = colon <= 0 ? "" : entry.substring(0, colon).trim();
      String secret = colon <= 0 ? "" : entry.substring(colon + 1).trim();
      if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
        throw new IllegalArgumentException("api.tokens entry " + position + " must be name:token or"
            + " name:sha256:<64 hex>, the name of 1-64 of [A-Za-z0-9._@-]");
      }
      byte[] hash = secret.startsWith(HASHED) ? configuredHash(name, secret.substring(HASHED.length()))
          : hashOfPlain(name, secret);
      for (Map.Entry<String, byte[]> e : hashByName.entrySet()) {
        if (MessageDigest.isEqual(e.getValue(), hash)) {
          throw new IllegalArgumentException("api.tokens entries '" + e.getKey() + "' and '" + name
              + "' have the same token: give each its own");
        }
      }
      if (hashByName.putIfAbsent(name, hash) != null) {
        throw new IllegalArgumentException("api.tokens names '" + name + "' twice: each name once (a second"
            + " token for the same name would silently replace the first)");
      }
    }
  }

  private static byte[] configuredHash(String name, String hex) {
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("api.tokens entry '" + name + "': sha256: must be followed by the"
          + " token's SHA-256 as 64 hex digits");
    }
    return HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
  }

  private static byte[] hashOfPlain(String name, String token) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("api.tokens entry '" + name + "': its token has fewer than " + MIN_LENGTH
          + " characters; make one with `silo-reports token new " + name + "`");
    }
    return sha256(token);
  }

  int size() {
    return hashByName.size();
  }

  /** The name of the token in an {@code Authorization: Bearer <token>} header, or empty. */
  Optional<String> nameOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] given = sha256(authorization.substring(7).trim());
    String found = null;
    for (Map.Entry<String, byte[]> e : hashByName.entrySet()) {
      if (MessageDigest.isEqual(given, e.getValue())) {
        found = e.getKey(); // no early exit: the time taken does not say which entry matched
      }
    }
    return Optional.ofNullable(found);
  }

  /** A fresh random token: 32 bytes of SecureRandom as URL-safe base64, 43 characters. */
  public static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The {@code api.tokens} entry of a token that holds only its hash: {@code name:sha256:<hex>}. */
  public static String hashedEntry(String name, String token) {
    return name + ":" + HASHED + HexFormat.of().formatHex(sha256(token));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
