package io.siloreports.worker.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.BitSet;

/**
 * A standard five-field cron expression ({@code minute hour day-of-month month day-of-week}), evaluated in UTC or in a time zone:
 * {@code *}, numbers, ranges {@code a-b}, lists {@code a,b}, steps {@code * /n} and {@code a-b/n}, month and day names
 * ({@code JAN}, {@code MON}), day-of-week 0 or 7 for Sunday. As in cron, when both day fields are restricted a day
 * matching either runs. Pure.
 */
public final class Cron {
  private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
      "DEC"};
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
  /** How far back {@link #latestAtOrBefore} looks (a 29 February schedule fires at least every 8 years). */
  private static final int MAX_DAYS_BACK = 366 * 8 + 2;

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean dayOfMonthRestricted;
  private final boolean dayOfWeekRestricted;

  private Cron(String text, BitSet[] fields, boolean domRestricted, boolean dowRestricted) {
    this.text = text;
    this.minutes = fields[0];
    this.hours = fields[1];
    this.daysOfMonth = fields[2];
    this.months = fields[3];
    this.daysOfWeek = fields[4];
    this.dayOfMonthRestricted = domRestricted;
    this.dayOfWeekRestricted = dowRestricted;
  }

  public static Cron parse(String expression) {
    String[] f = expression.trim().split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day-of-month month"
          + " day-of-week), got " + f.length + " in '" + expression + "'");
    }
    BitSet dow = field(f[4], 0, 7, DAYS, "day-of-week", expression);
    if (dow.get(7)) {
      dow.set(0);
      dow.clear(7);
    }
    return new Cron(expression.trim(), new BitSet[] {
        field(f[0], 0, 59, null, "minute", expression),
        field(f[1], 0, 23, null, "hour", expression),
        field(f[2], 1, 31, null, "day-of-month", expression),
        field(f[3], 1, 12, MONTHS, "month", expression),
        dow}, !f[2].equals("*"), !f[4].equals("*"));
  }

  private static BitSet field(String text, int min, int max, String[] names, String what, String expression) {
    BitSet out = new BitSet();
    for (String part : text.split(",")) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, null, 0, what, expression);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.indexOf('-', 1) > 0) {
        int dash = range.indexOf('-', 1);
        from = number(range.substring(0, dash), min, max, names, min, what, expression);
        to = number(range.substring(dash + 1), min, max, names, min, what, expression);
      } else {
        from = number(range, min, max, names, min, what, expression);
        to = slash >= 0 ? max : from;
      }
      if (from > to) {
        throw new IllegalArgumentException(what + " range " + range + " runs backwards in '" + expression + "'");
      }
      for (int v = from; v <= to; v += step) {
        out.set(v);
      }
    }
    return out;
  }

  private static int number(String s, int min, int max, String[] names, int firstName, String what,
      String expression) {
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(s)) {
          return firstName + i;
        }
      }
    }
    int v;
    try {
      v = Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad " + what + " '" + s + "' in cron expression '" + expression + "'");
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(what + " " + v + " is outside " + min + "-" + max + " in '" + expression
          + "'");
    }
    return v;
  }

  /** Whether the minute starting at {@code t} (UTC) is a tick. */
  public boolean matches(Instant t) {
    LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    return minutes.get(d.getMinute()) && hours.get(d.getHour()) && dayMatches(d.toLocalDate());
  }

  private boolean dayMatches(LocalDate d) {
    if (!months.get(d.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(d.getDayOfMonth());
    boolean dow = daysOfWeek.get(d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue());
    if (dayOfMonthRestricted && dayOfWeekRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /** The latest tick at or before {@code t} (its minute), in UTC, or null if there is none within eight years. */
  public Instant latestAtOrBefore(Instant t) {
    return latestAtOrBefore(t, ZoneOffset.UTC);
  }

  /**
   * The latest tick at or before {@code t} (its minute) with the fields read as local time in {@code zone}, or null if
   * there is none within eight years. A local time the zone skips (spring forward) ticks at the first instant after
   * the gap; one the zone repeats (fall back) ticks once, at its first occurrence: see {@link #instantOf}.
   */
  public Instant latestAtOrBefore(Instant t, ZoneId zone) {
    Instant limit = t.truncatedTo(ChronoUnit.MINUTES);
    LocalDate day = LocalDateTime.ofInstant(limit, zone).toLocalDate();
    // A day after the limit's local day can have no tick at or before it; a gap moves ticks later, never earlier.
    for (int back = 0; back <= MAX_DAYS_BACK; back++, day = day.minusDays(1)) {
      if (!dayMatches(day)) {
        continue;
      }
      for (int h = hours.previousSetBit(23); h >= 0; h = hours.previousSetBit(h - 1)) {
        for (int m = minutes.previousSetBit(59); m >= 0; m = minutes.previousSetBit(m - 1)) {
          Instant at = instantOf(day.atTime(h, m), zone);
          if (!at.isAfter(limit)) {
            return at;
          }
        }
      }
    }
    return null;
  }

  /**
   * The instant a local time means in {@code zone}: the next valid instant (the transition) when the zone skips it,
   * the first of the two when the zone repeats it. Pure.
   */
  public static Instant instantOf(LocalDateTime local, ZoneId zone) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return local.atZone(zone).withEarlierOffsetAtOverlap().toInstant();
  }

  @Override
  public String toString() {
    return text;
  }
}
