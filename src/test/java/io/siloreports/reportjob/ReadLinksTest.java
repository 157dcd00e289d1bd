package io.siloreports.reportjob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.MovableClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The links notifications carry: their documented signature, their lifetime, and what a changed link is. */
class ReadLinksTest {
  private static final byte[] KEY = "link-key-known-answer".getBytes(StandardCharsets.UTF_8);

  @Test
  void aLinkIsTheDocumentedHmacOfReadJobIdAndExpiry() {
    // Known answer, computed outside Java:
    //   printf 'read\nr-20261207-000000-abcd\n1765065600' | openssl dgst -sha256 -hmac 'link-key-known-answer'
    MovableClock clock = new MovableClock(Instant.ofEpochSecond(1765065600L).minus(Duration.ofDays(7)));
    ReadLinks links = new ReadLinks("https://reports.example/", KEY, Duration.ofDays(7), clock);
    assertEquals(Optional.of("https://reports.example/r/r-20261207-000000-abcd?expires=1765065600&signature="
        + "c0fe26751d06aa0bf9ef980983a87a26201088766aa5d0b5015bd217e64cdc5d"), links.link("r-20261207-000000-abcd"));
  }

  @Test
  void aLinkWorksForItsLifetimeAndNoOtherJobOrTime() {
    MovableClock clock = new MovableClock(Instant.parse("2026-12-07T00:00:00Z"));
    ReadLinks links = new ReadLinks("https://reports.example", KEY, Duration.ofDays(7), clock);
    URI link = URI.create(links.link("r-1").orElseThrow());
    String expires = link.getQuery().replaceAll(".*expires=([0-9]+).*", "$1");
    String signature = link.getQuery().replaceAll(".*signature=([0-9a-f]+).*", "$1");
    assertEquals(Instant.parse("2026-12-14T00:00:00Z").getEpochSecond(), Long.parseLong(expires));
    assertEquals(ReadLinks.Check.VALID, links.check("r-1", expires, signature));
    clock.advance(Duration.ofHours(24));
    assertEquals(ReadLinks.Check.VALID, links.check("r-1", expires, signature), "read the next day");
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-2", expires, signature), "another job");
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-1", Long.toString(Long.parseLong(expires) + 86400),
        signature), "a later expiry");
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-1", "1e9", signature));
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-1", "99999999999999999999", signature));
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-1", expires, null));
    assertEquals(ReadLinks.Check.BAD_SIGNATURE, links.check("r-1", expires,
        (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1)), "one character changed");
    clock.advance(Duration.ofDays(6).plusSeconds(1));
    assertEquals(ReadLinks.Check.EXPIRED, links.check("r-1", expires, signature));
    assertTrue(new ReadLinks(null, KEY, Duration.ofDays(7), clock).link("r-1").isEmpty(),
        "no api.public-url, no link");
  }
}
