package io.siloreports.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written reading of the common timestamp form agrees with java.time's formatters on every input. */
class TimesTest {
  /** What java.time's ISO formatters make of {@code text} (the reference), or the failure's class name. */
  private static String reference(String text) {
    String s = text.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toString();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC).toString();
      } catch (DateTimeParseException e2) {
        try {
          return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        } catch (DateTimeParseException e3) {
          return "unparseable";
        }
      }
    }
  }

  private static String parsed(String text) {
    try {
      return Times.parseInstant(text).toString();
    } catch (DateTimeParseException e) {
      return "unparseable";
    }
  }

  @Test
  void randomTimestampsAndTheirNearMissesReadAsTheFormattersReadThem() {
    Random random = new Random(42);
    int fast = 0;
    for (int i = 0; i < 20_000; i++) {
      String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(3000), random.nextInt(14),
          random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62));
      int digits = random.nextInt(11);
      if (digits > 0) {
        text += "." + String.valueOf(random.nextLong() & Long.MAX_VALUE).substring(0, Math.min(digits, 10));
      }
      text += List.of("Z", "+00:00", "z", "+01:30", "", "-00:00", "ZZ").get(random.nextInt(7));
      assertEquals(reference(text), parsed(text), text);
      if (Times.parseUtcInstant(text) != null) {
        fast++;
      }
    }
    // The hand-written path took a good share (the rest went to the formatters and still agreed).
    org.junit.jupiter.api.Assertions.assertTrue(fast > 3_000, "fast path taken " + fast + " times");
  }

  @Test
  void oddFormsGoToTheFormatters() {
    for (String text : List.of("2026-02-29T00:00:00Z", "2024-02-29T23:59:59.999999999Z", "2026-11-20T24:00:00Z",
        "2026-11-20T14:37:60Z", "2026-11-20T14:37:23.Z", "2026-11-20T14:37:23.1234567890Z", " 2026-11-20T14:37:23Z",
        "2026-11-20 14:37:23Z", "2026-11-20t14:37:23Z", "+2026-11-20T14:37:23Z", "2026-1-20T14:37:23Z",
        "2026-11-20T14:37:2３Z", "2026-11-20", "2026-11-20T14:37Z", "0000-01-01T00:00:00Z")) {
      assertEquals(reference(text), parsed(text), text);
    }
    assertNull(Times.parseUtcInstant("2026-02-29T00:00:00Z"));
    assertEquals(Instant.parse("2024-02-29T23:59:59.999999999Z"), Times.parseUtcInstant("2024-02-29T23:59:59.999999999Z"));
    assertEquals(Instant.parse("2026-11-20T14:37:23.100Z"), Times.parseUtcInstant("2026-11-20T14:37:23.1+00:00"));
  }
}
