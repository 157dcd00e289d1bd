package io.siloreports.output;

import io.siloreports.reportjob.DownloadLinks;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Download links for reports in a local directory, served by the HTTP service: like a presigned S3 URL, a link
 * carries its expiry and an HMAC-SHA256 signature of key and expiry, so a browser can follow it without a bearer
 * token, and nobody can make one for another file or a later time.
 */
public final class LocalDownloadLinks implements DownloadLinks {
  private final Path outputDir;
  private final java.util.function.Supplier<String> baseUrl;
  private final byte[] signingKey;
  private final Duration ttl;
  private final Clock clock;

  /** @param baseUrl the service's address as browsers reach it (known once it listens) */
  public LocalDownloadLinks(Path outputDir, java.util.function.Supplier<String> baseUrl, byte[] signingKey,
      Duration ttl, Clock clock) {
    this.outputDir = outputDir.toAbsolutePath().normalize();
    this.baseUrl = baseUrl;
    this.signingKey = signingKey.clone();
    this.ttl = ttl;
    this.clock = clock;
  }

  @Override
  public Optional<String> link(String key) {
    if (resolve(key).filter(Files::isRegularFile).isEmpty()) {
      return Optional.empty();
    }
    long expires = clock.instant().plus(ttl).getEpochSecond();
    String base = baseUrl.get();
    base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return Optional.of(base + SERVED_PATH + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/")
        + "?expires=" + expires + "&signature=" + sign(key, expires));
  }

  @Override
  public boolean servesFiles() {
    return true;
  }

  @Override
  public Optional<Path> servedFile(String key, String expires, String signature) {
    long at;
    try {
      at = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    // Compared as numbers: Instant.ofEpochSecond throws on a huge value, which a link's reader can write.
    if (signature == null || at < clock.instant().getEpochSecond()
        || !MessageDigest.isEqual(sign(key, at).getBytes(StandardCharsets.US_ASCII),
            signature.getBytes(StandardCharsets.US_ASCII))) {
      return Optional.empty();
    }
    return resolve(key).filter(Files::isRegularFile);
  }

  /** The file of a key, when the key stays inside the output directory. */
  private Optional<Path> resolve(String key) {
    if (key == null || key.isEmpty()) {
      return Optional.empty();
    }
    Path p = outputDir.resolve(key).normalize();
    return p.startsWith(outputDir) && !p.equals(outputDir) ? Optional.of(p) : Optional.empty();
  }

  private String sign(String key, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal((key + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
