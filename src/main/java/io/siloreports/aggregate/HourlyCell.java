package io.siloreports.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;

/**
 * Exact sum, min, max and counts of one silo-hour, as {@link PartialCombiner}'s hourly combiner keeps them. Every
 * reading's value has {@value #SCALE} decimals (the parser's scale), so while each value and the sum fit in a
 * {@code long} they are kept as unscaled longs: adding a reading is then a long addition and two comparisons on the
 * cell itself, with no {@code BigDecimal} made or followed. A value of another scale, or a sum beyond a long, turns
 * the cell into {@code BigDecimal}s for good; both forms give the same exact values.
 */
final class HourlyCell {
  /** The scale of readings' values ({@code io.siloreports.ingest.RecordParser.VALUE_SCALE}). */
  static final int SCALE = 10;
  /** Not a value a long cell holds (a value that is not a long at {@link #SCALE}). */
  private static final long NOT_LONG = Long.MIN_VALUE;

  private boolean big;
  private long sum;
  private long min;
  private long max;
  private BigDecimal bigSum;
  private BigDecimal bigMin;
  private BigDecimal bigMax;
  long count;
  long late;
  Timestamp revised;

  BigDecimal sum() {
    return big ? bigSum : BigDecimal.valueOf(sum, SCALE);
  }

  BigDecimal min() {
    return big ? bigMin : BigDecimal.valueOf(min, SCALE);
  }

  BigDecimal max() {
    return big ? bigMax : BigDecimal.valueOf(max, SCALE);
  }

  /** Adds one value (the caller counts it). */
  void add(BigDecimal v) {
    if (!big) {
      long x = unscaled(v);
      if (x != NOT_LONG && addLong(x)) {
        return;
      }
      inflate();
    }
    addBig(v, v, v);
  }

  /** Adds one value given as its unscaled digits at {@link #SCALE} (the caller counts it). */
  void addUnscaled(long x) {
    if (!big) {
      if (addLong(x)) {
        return;
      }
      inflate();
    }
    BigDecimal v = BigDecimal.valueOf(x, SCALE);
    addBig(v, v, v);
  }

  /** Adds {@code x} to the long cell; false, with nothing changed, when the sum would overflow. */
  private boolean addLong(long x) {
    if (count == 0) {
      sum = x;
      min = x;
      max = x;
      return true;
    }
    long s = sum + x;
    if (((sum ^ s) & (x ^ s)) < 0) { // overflow
      return false;
    }
    sum = s;
    min = Math.min(min, x);
    max = Math.max(max, x);
    return true;
  }

  /** Merges another cell's sum, min and max (the caller adds the counts). */
  void merge(HourlyCell o) {
    if (!big && !o.big) {
      if (count == 0) {
        sum = o.sum;
        min = o.min;
        max = o.max;
        return;
      }
      long s = sum + o.sum;
      if (((sum ^ s) & (o.sum ^ s)) >= 0) {
        sum = s;
        min = Math.min(min, o.min);
        max = Math.max(max, o.max);
        return;
      }
    }
    if (!big) {
      inflate();
    }
    addBig(o.sum(), o.min(), o.max());
  }

  /** Merges a partial row's sum, min and max (the caller adds the counts). */
  void merge(BigDecimal s, BigDecimal mn, BigDecimal mx) {
    if (!big) {
      long xs = unscaled(s);
      long xmn = unscaled(mn);
      long xmx = unscaled(mx);
      if (xs != NOT_LONG && xmn != NOT_LONG && xmx != NOT_LONG) {
        if (count == 0) {
          sum = xs;
          min = xmn;
          max = xmx;
          return;
        }
        long t = sum + xs;
        if (((sum ^ t) & (xs ^ t)) >= 0) {
          sum = t;
          min = Math.min(min, xmn);
          max = Math.max(max, xmx);
          return;
        }
      }
      inflate();
    }
    addBig(s, mn, mx);
  }

  private void addBig(BigDecimal s, BigDecimal mn, BigDecimal mx) {
    if (count == 0) {
      bigSum = s;
      bigMin = mn;
      bigMax = mx;
    } else {
      bigSum = bigSum.add(s);
      bigMin = mn.compareTo(bigMin) < 0 ? mn : bigMin;
      bigMax = mx.compareTo(bigMax) > 0 ? mx : bigMax;
    }
  }

  private void inflate() {
    if (count > 0) {
      bigSum = BigDecimal.valueOf(sum, SCALE);
      bigMin = BigDecimal.valueOf(min, SCALE);
      bigMax = BigDecimal.valueOf(max, SCALE);
    }
    big = true;
  }

  /** {@code v}'s unscaled value if it has {@link #SCALE} decimals and fits in a long, else {@link #NOT_LONG}. */
  private static long unscaled(BigDecimal v) {
    if (v.scale() != SCALE) {
      return NOT_LONG;
    }
    BigInteger u = v.unscaledValue();
    return u.bitLength() < 64 ? u.longValue() : NOT_LONG;
  }

  /** A partition's cell as the driver reads it back ({@link #read}): numbers, not objects. */
  void write(DataOutput out) throws IOException {
    out.writeBoolean(big);
    if (big) {
      PartialCombiner.writeDecimal(out, bigSum);
      PartialCombiner.writeDecimal(out, bigMin);
      PartialCombiner.writeDecimal(out, bigMax);
    } else {
      out.writeLong(sum);
      out.writeLong(min);
      out.writeLong(max);
    }
    out.writeLong(count);
    out.writeLong(late);
    PartialCombiner.writeTime(out, revised);
  }

  static HourlyCell read(DataInput in) throws IOException {
    HourlyCell c = new HourlyCell();
    c.big = in.readBoolean();
    if (c.big) {
      c.bigSum = PartialCombiner.readDecimal(in);
      c.bigMin = PartialCombiner.readDecimal(in);
      c.bigMax = PartialCombiner.readDecimal(in);
    } else {
      c.sum = in.readLong();
      c.min = in.readLong();
      c.max = in.readLong();
    }
    c.count = in.readLong();
    c.late = in.readLong();
    c.revised = PartialCombiner.readTime(in);
    return c;
  }
}
