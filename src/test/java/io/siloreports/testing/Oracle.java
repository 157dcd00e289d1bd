package io.siloreports.testing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain-Java reference computations the Spark code is checked against. Nothing here calls project code.
 */
public final class Oracle {
  private Oracle() {}

  public record Reading(int siloId, Instant ts, BigDecimal value) {
    public String json() {
      return "{\"silo_id\": " + siloId + ", \"ts\": \"" + ts + "\", \"value\": " + value.toPlainString() + "}";
    }
  }

  public record Event(String recordType, String accountId, Instant ts) {
    public String json() {
      return "{\"record_type\": \"" + recordType + "\", \"account_id\": \"" + accountId + "\", \"ts\": \""
          + ts + "\"}";
    }
  }

  public record HourKey(int siloId, Instant hour) implements Comparable<HourKey> {
    @Override
    public int compareTo(HourKey o) {
      int c = Integer.compare(siloId, o.siloId);
      return c != 0 ? c : hour.compareTo(o.hour);
    }
  }

  /** Exact hourly aggregate, rounded only by the accessors. */
  public static final class Hour {
    public BigDecimal sum = BigDecimal.ZERO;
    public BigDecimal min;
    public BigDecimal max;
    public long count;

    void add(BigDecimal v) {
      sum = sum.add(v);
      min = min == null || v.compareTo(min) < 0 ? v : min;
      max = max == null || v.compareTo(max) > 0 ? v : max;
      count++;
    }

    public BigDecimal avg2() {
      return sum.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_UP);
    }

    public BigDecimal sum2() {
      return sum.setScale(2, RoundingMode.HALF_UP);
    }

    public BigDecimal min2() {
      return min.setScale(2, RoundingMode.HALF_UP);
    }

    public BigDecimal max2() {
      return max.setScale(2, RoundingMode.HALF_UP);
    }
  }

  public static TreeMap<HourKey, Hour> hourly(Collection<Reading> readings) {
    TreeMap<HourKey, Hour> out = new TreeMap<>();
    for (Reading r : readings) {
      out.computeIfAbsent(new HourKey(r.siloId(), r.ts().truncatedTo(ChronoUnit.HOURS)), k -> new Hour())
          .add(r.value());
    }
    return out;
  }

  public record BucketKey(String recordType, String accountId, int minutes, Instant start)
      implements Comparable<BucketKey> {
    @Override
    public int compareTo(BucketKey o) {
      return toString().compareTo(o.toString());
    }
  }

  /** Counts per bucket for 1/5/15/60 minutes, each counted directly from the events. */
  public static Map<BucketKey, Long> buckets(Collection<Event> events) {
    Map<BucketKey, Long> out = new TreeMap<>();
    for (Event e : events) {
      for (int m : new int[] {1, 5, 15, 60}) {
        long width = m * 60L;
        long start = Math.floorDiv(e.ts().getEpochSecond(), width) * width;
        out.merge(new BucketKey(e.recordType(), e.accountId(), m, Instant.ofEpochSecond(start)), 1L, Long::sum);
      }
    }
    return out;
  }
}
