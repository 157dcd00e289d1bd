package io.siloreports.testing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * One-line builders of test input: readings of some silos over some hours, events of some accounts, and their
 * JSON lines. Random but seeded, so a failure repeats.
 *
 * <pre>
 * List&lt;Oracle.Reading&gt; r = TestData.readings(rnd).silos(3).hours(DAY, 0, 4).build();
 * List&lt;Oracle.Event&gt; e = TestData.events(rnd).perHour(150).hours(DAY, 0, 4).build();
 * </pre>
 */
public final class TestData {
  private TestData() {}

  /**
   * The start of the UTC day {@code days} before the machine's clock, for tests that stream under the real clock:
   * a fixed date would be refused as an absurd future time on a machine whose clock is behind it.
   */
  public static Instant daysAgo(int days) {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(days, java.time.temporal.ChronoUnit.DAYS);
  }

  public static ReadingsBuilder readings(Random rnd) {
    return new ReadingsBuilder(rnd);
  }

  public static EventsBuilder events(Random rnd) {
    return new EventsBuilder(rnd);
  }

  public static List<String> json(List<Oracle.Reading> readings) {
    return readings.stream().map(Oracle.Reading::json).toList();
  }

  public static List<String> eventJson(List<Oracle.Event> events) {
    return events.stream().map(Oracle.Event::json).toList();
  }

  @SafeVarargs
  public static <T> List<T> concat(List<T>... lists) {
    List<T> out = new ArrayList<>();
    for (List<T> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  public static List<Oracle.Reading> before(List<Oracle.Reading> readings, Instant end) {
    return readings.stream().filter(r -> r.ts().isBefore(end)).toList();
  }

  public static List<Oracle.Event> eventsBefore(List<Oracle.Event> events, Instant end) {
    return events.stream().filter(e -> e.ts().isBefore(end)).toList();
  }

  /** Readings of silos {@code 1..silos}, one every {@code minGap..maxGap} seconds, values of {@code scale} decimals. */
  public static final class ReadingsBuilder {
    private final Random rnd;
    private int silos = 3;
    private Instant from;
    private Instant to;
    private int minGapSeconds = 120;
    private int maxGapSeconds = 240;
    private int scale = 3;
    private long unscaledRange = 1_000_000;
    private long unscaledOffset = -100_000;
    private boolean jitterStart;
    private boolean sorted = true;

    private ReadingsBuilder(Random rnd) {
      this.rnd = rnd;
    }

    public ReadingsBuilder silos(int silos) {
      this.silos = silos;
      return this;
    }

    /** Hours {@code [fromHour, toHour)} after {@code day}. */
    public ReadingsBuilder hours(Instant day, int fromHour, int toHour) {
      this.from = day.plus(fromHour, ChronoUnit.HOURS);
      this.to = day.plus(toHour, ChronoUnit.HOURS);
      return this;
    }

    public ReadingsBuilder every(int minGapSeconds, int maxGapSeconds) {
      this.minGapSeconds = minGapSeconds;
      this.maxGapSeconds = maxGapSeconds;
      return this;
    }

    /** Values {@code (offset + random[0, range)) / 10^scale}. */
    public ReadingsBuilder values(int scale, long range, long offset) {
      this.scale = scale;
      this.unscaledRange = range;
      this.unscaledOffset = offset;
      return this;
    }

    /** Each silo starts at a random second of the first minute, with random milliseconds on every reading. */
    public ReadingsBuilder jitter() {
      this.jitterStart = true;
      return this;
    }

    /** Keep silo by silo instead of sorting by time (the order producers would send them in). */
    public ReadingsBuilder bySilo() {
      this.sorted = false;
      return this;
    }

    public List<Oracle.Reading> build() {
      List<Oracle.Reading> out = new ArrayList<>();
      for (int silo = 1; silo <= silos; silo++) {
        Instant t = jitterStart ? from.plusSeconds(rnd.nextInt(60)) : from;
        for (; t.isBefore(to); t = t.plusSeconds(minGapSeconds + rnd.nextInt(maxGapSeconds - minGapSeconds + 1))) {
          Instant ts = jitterStart ? t.plusMillis(rnd.nextInt(1000)) : t;
          if (ts.isBefore(to)) {
            out.add(new Oracle.Reading(silo, ts,
                BigDecimal.valueOf((long) (rnd.nextDouble() * unscaledRange) + unscaledOffset, scale)));
          }
        }
      }
      if (sorted) {
        out.sort(Comparator.comparing(Oracle.Reading::ts));
      }
      return out;
    }
  }

  /** Events of the four record types for accounts {@code acc-0..acc-(accounts-1)}, at random times. */
  public static final class EventsBuilder {
    private static final String[] TYPES = {"items", "scoreResults", "tasks", "evaluations"};
    private final Random rnd;
    private int perHour = 100;
    private int accounts = 3;
    private Instant from;
    private int hours;

    private EventsBuilder(Random rnd) {
      this.rnd = rnd;
    }

    public EventsBuilder perHour(int perHour) {
      this.perHour = perHour;
      return this;
    }

    public EventsBuilder accounts(int accounts) {
      this.accounts = accounts;
      return this;
    }

    public EventsBuilder hours(Instant day, int fromHour, int toHour) {
      this.from = day.plus(fromHour, ChronoUnit.HOURS);
      this.hours = toHour - fromHour;
      return this;
    }

    public List<Oracle.Event> build() {
      List<Oracle.Event> out = new ArrayList<>();
      for (int i = 0; i < perHour * hours; i++) {
        out.add(new Oracle.Event(TYPES[rnd.nextInt(TYPES.length)], "acc-" + rnd.nextInt(accounts),
            from.plusMillis((long) (rnd.nextDouble() * Duration.ofHours(hours).toMillis()))));
      }
      out.sort(Comparator.comparing(Oracle.Event::ts));
      return out;
    }
  }
}
