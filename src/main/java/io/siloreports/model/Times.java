package io.siloreports.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
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
    Instant fast = parseUtcInstant(text);
    if (fast != null) {
      return fast;
    }
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

  /**
   * The common form {@code 2026-11-20T14:37:23[.fraction]Z} (or {@code +00:00}) read by hand, field by field: the
   * stream reads one per record, and {@code DateTimeFormatter} costs about a microsecond each. Null for anything
   * else, including out-of-range fields, which {@link #parseInstant}'s formatters then judge (and explain).
   */
  static Instant parseUtcInstant(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int end;
    if (s.charAt(n - 1) == 'Z') {
      end = n - 1;
    } else if (n >= 25 && s.startsWith("+00:00", n - 6)) {
      end = n - 6;
    } else {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 59 || day > YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    int nanos = 0;
    if (end > 19) {
      int fraction = end - 20;
      if (s.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nanos = digits(s, 20, end);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    } else if (end != 19) {
      return null;
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The decimal number in {@code s[from, to)}, or -1 unless every character is an ASCII digit. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
