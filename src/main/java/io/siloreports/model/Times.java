package io.siloreports.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** UTC instant parsing and hour arithmetic shared by flags, parsers and jobs. */
public final class Times {
  private Times() {}

  /**
   * Parses an instant: ISO-8601 with Z or an offset; a date-time without zone is read as UTC (every time
   * in this system is UTC); a plain date means its midnight UTC. A space may stand for the 'T'.
   */
  public static Instant parseInstant(String text) {
    String s = text.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        try {
          return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e3) {
          throw new DateTimeParseException(
              "not an ISO-8601 timestamp (e.g. 2026-11-20T14:37:23Z)", text, 0, e);
        }
      }
    }
  }

  public static Instant hourFloor(Instant t) {
    return t.truncatedTo(ChronoUnit.HOURS);
  }

  public static Instant hourCeil(Instant t) {
    Instant f = hourFloor(t);
    return f.equals(t) ? t : f.plus(1, ChronoUnit.HOURS);
  }

  public static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  public static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
