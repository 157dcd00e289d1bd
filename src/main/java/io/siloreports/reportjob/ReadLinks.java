package io.siloreports.reportjob;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Links to a job's report that still work when a notification is read days later: {@code
 * <api.public-url>/r/<jobId>?expires=<epoch s>&signature=<hex HMAC-SHA256 of "read\n<jobId>\n<expires>">}, living
 * {@code notify.link-ttl}. The service checks the signature and the job on each click and only then presigns a
 * download (a presigned S3 URL lives minutes; this link lives days and never names a server path).
 */
public final class ReadLinks {
  /** The path under the service's address that answers these links. */
  public static final String PATH = "/r/";

  private final String publicUrl;
  private final byte[] key;
  private final Duration ttl;
  private final Clock clock;

  /** @param publicUrl the service's address as readers reach it; null: no links (notifications say how to fetch) */
  public ReadLinks(String publicUrl, byte[] key, Duration ttl, Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("notify.link-ttl must be positive, got " + ttl);
    }
    this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null
        : publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
    this.key = key.clone();
    this.ttl = ttl;
    this.clock = clock;
  }

  /** Whether links can be made: {@code api.public-url} is set. */
  public boolean enabled() {
    return publicUrl != null;
  }

  /** A link to the report of {@code jobId} valid for the TTL from now; empty without {@code api.public-url}. */
  public Optional<String> link(String jobId) {
    if (publicUrl == null) {
      return Optional.empty();
    }
    long expires = clock.instant().plus(ttl).getEpochSecond();
    return Optional.of(publicUrl + PATH + URLEncoder.encode(jobId, StandardCharsets.UTF_8) + "?expires=" + expires
        + "&signature=" + sign(jobId, expires));
  }

  /** What a presented link is: good, or why not (its reader is told which). */
  public enum Check { VALID, EXPIRED, BAD_SIGNATURE }

  /** Checks a presented link's signature first (so a forged one learns nothing about expiry), then its expiry. */
  public Check check(String jobId, String expires, String signature) {
    long at;
    try {
      at = Long.parseLong(expires);
    } catch (NumberFormatException | NullPointerException e) {
      return Check.BAD_SIGNATURE;
    }
    if (signature == null || !MessageDigest.isEqual(sign(jobId, at).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII))) {
      return Check.BAD_SIGNATURE;
    }
    // Compared as numbers: Instant.ofEpochSecond throws on a huge value, which a reader can write.
    return at < clock.instant().getEpochSecond() ? Check.EXPIRED : Check.VALID;
  }

  private String sign(String jobId, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(("read\n" + jobId + "\n" + expires)
          .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
