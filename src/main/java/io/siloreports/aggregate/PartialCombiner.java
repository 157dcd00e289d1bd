package io.siloreports.aggregate;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The monoids of {@link HourlyAggregates} and {@link BucketCounts} in plain Java: the stream combines its records
 * inside each partition with one of these (a map-side combine in the same pass that parses them), and the driver
 * merges the partitions' partial rows with another. The rows it gives are the pipeline's partial schema, one per
 * key, in the store's key order, and equal what the Spark forms compute from the same records (tests compare them).
 * An {@link Aggregation} makes the one of its pipeline ({@link Aggregation#newCombiner}). A partition's combiner
 * travels to the driver serialized as numbers ({@link #mergeAll}), which is cheaper than rows through Spark's encoders.
 * Longer than most files: both monoids, each with its serialized form, share the helpers here.
 */
public abstract class PartialCombiner implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Adds one valid parsed record ({@code io.siloreports.ingest.ParsedRecords}' schema); {@code late}: its hour was final. */
  public abstract void add(Row record, boolean late);

  /**
   * Adds one valid silo reading given as numbers ({@code io.siloreports.ingest.ReadingBytes}' form): its silo, its
   * hour since the epoch and its value's unscaled digits at the parser's scale. Only the hourly combiner has readings.
   */
  public void addReading(int siloId, long hour, long unscaledValue, boolean late) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not combine silo readings");
  }

  /** Merges one partial row (the pipeline's partial schema), as another combiner's {@link #rows} gives them. */
  public abstract void merge(Row partial);

  /**
   * Merges every key of {@code other}, a combiner of the same aggregation (a partition's, sent to the driver in its
   * compact serialized form rather than as rows).
   */
  public abstract void mergeAll(PartialCombiner other);

  /**
   * The combined partial rows in key order; a key with late records gets {@code revisedAt} as its {@code revised_at}
   * (null keeps the merged one).
   */
  public abstract List<Row> rows(Instant revisedAt);

  /** How many keys so far. */
  public abstract int keys();

  /** Code-point order: the byte order of their UTF-8 form, which is how Spark and the stored keys sort strings. */
  static int compareText(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static Timestamp later(Timestamp a, Timestamp b) {
    return a == null ? b : b == null || !b.after(a) ? a : b;
  }

  private static Timestamp revised(long late, Timestamp merged, Instant revisedAt) {
    return late > 0 && revisedAt != null ? later(merged, Timestamp.from(revisedAt)) : merged;
  }

  /** A partition's combiner goes to the driver serialized: cells as numbers, not objects (and no rows). */
  static void writeDecimal(java.io.DataOutput out, BigDecimal v) throws IOException {
    byte[] unscaled = v.unscaledValue().toByteArray();
    out.writeInt(v.scale());
    out.writeShort(unscaled.length);
    out.write(unscaled);
  }

  static BigDecimal readDecimal(java.io.DataInput in) throws IOException {
    int scale = in.readInt();
    byte[] unscaled = new byte[in.readShort()];
    in.readFully(unscaled);
    return new BigDecimal(new BigInteger(unscaled), scale);
  }

  static void writeTime(java.io.DataOutput out, Timestamp t) throws IOException {
    out.writeBoolean(t != null);
    if (t != null) {
      out.writeLong(t.getTime());
      out.writeInt(t.getNanos());
    }
  }

  static Timestamp readTime(java.io.DataInput in) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    Timestamp t = new Timestamp(in.readLong());
    t.setNanos(in.readInt());
    return t;
  }

  /** Readings by silo and hour ({@link HourlyAggregates#AGGREGATION}'s combiner). */
  static final class Hourly extends PartialCombiner {
    private static final long serialVersionUID = 1L;
    private transient HourCells cells = new HourCells();

    private HourlyCell cell(int silo, long hour) {
      return cells.cell(HourCells.pack(silo, hour));
    }

    @Override
    public void add(Row r, boolean late) {
      HourlyCell c = cell(r.getInt(0), Math.floorDiv(r.getTimestamp(1).getTime(), 3_600_000L));
      c.add(r.getDecimal(2));
      c.count++;
      if (late) {
        c.late++;
      }
    }

    @Override
    public void addReading(int siloId, long hour, long unscaledValue, boolean late) {
      HourlyCell c = cell(siloId, hour);
      c.addUnscaled(unscaledValue);
      c.count++;
      if (late) {
        c.late++;
      }
    }

    @Override
    public void merge(Row p) {
      HourlyCell c = cell(p.getInt(0), Math.floorDiv(p.getTimestamp(1).getTime(), 3_600_000L));
      c.merge(p.getDecimal(2), p.getDecimal(3), p.getDecimal(4));
      counts(c, p.getLong(5), p.isNullAt(6) ? 0 : p.getLong(6), p.isNullAt(7) ? null : p.getTimestamp(7));
    }

    @Override
    public void mergeAll(PartialCombiner other) {
      ((Hourly) other).cells.forEach((k, o) -> {
        HourlyCell c = cells.cell(k);
        c.merge(o);
        counts(c, o.count, o.late, o.revised);
      });
    }

    private static void counts(HourlyCell c, long count, long late, Timestamp revised) {
      c.count += count;
      c.late += late;
      c.revised = later(c.revised, revised);
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.writeInt(cells.size());
      IOException[] failed = new IOException[1];
      cells.forEach((k, c) -> {
        try {
          out.writeLong(k);
          c.write(out);
        } catch (IOException e) {
          failed[0] = e;
        }
      });
      if (failed[0] != null) {
        throw failed[0];
      }
    }

    private void readObject(ObjectInputStream in) throws IOException {
      int n = in.readInt();
      cells = new HourCells();
      for (int i = 0; i < n; i++) {
        long key = in.readLong();
        cells.put(key, HourlyCell.read(in));
      }
    }

    @Override
    public List<Row> rows(Instant revisedAt) {
      long[] keys = cells.sortedKeys();
      List<Row> out = new ArrayList<>(keys.length);
      for (long k : keys) {
        HourlyCell c = cells.get(k);
        out.add(RowFactory.create(HourCells.silo(k), new Timestamp(HourCells.hour(k) * 3_600_000L), c.sum(), c.min(),
            c.max(), c.count, c.late, revised(c.late, c.revised, revisedAt)));
      }
      return out;
    }

    @Override
    public int keys() {
      return cells.size();
    }
  }

  private record BucketKey(String type, String account, int minutes, long start) {}

  private static final Comparator<BucketKey> BUCKET_ORDER =
      Comparator.<BucketKey, String>comparing(BucketKey::type, PartialCombiner::compareText)
          .thenComparing(BucketKey::account, PartialCombiner::compareText)
          .thenComparingInt(BucketKey::minutes)
          .thenComparingLong(BucketKey::start);

  /** Count, late count and the latest revision of one bucket. */
  private static final class BucketCell {
    long count;
    long late;
    Timestamp revised;
  }

  /** Events by type, account, bucket size and bucket ({@link BucketCounts#AGGREGATION}'s combiner). */
  static final class Buckets extends PartialCombiner {
    private static final long serialVersionUID = 1L;
    private transient Map<BucketKey, BucketCell> cells = new HashMap<>();

    @Override
    public void add(Row r, boolean late) {
      String type = r.getString(0);
      String account = r.getString(1);
      long ts = r.getTimestamp(2).getTime();
      for (int minutes : TimeBuckets.BUCKET_MINUTES) {
        long size = minutes * 60_000L;
        BucketCell c = cells.computeIfAbsent(new BucketKey(type, account, minutes, Math.floorDiv(ts, size) * size),
            k -> new BucketCell());
        c.count++;
        if (late) {
          c.late++;
        }
      }
    }

    @Override
    public void merge(Row p) {
      merge(new BucketKey(p.getString(0), p.getString(1), p.getInt(2), p.getTimestamp(3).getTime()), p.getLong(4),
          p.isNullAt(5) ? 0 : p.getLong(5), p.isNullAt(6) ? null : p.getTimestamp(6));
    }

    @Override
    public void mergeAll(PartialCombiner other) {
      ((Buckets) other).cells.forEach((k, o) -> merge(k, o.count, o.late, o.revised));
    }

    private void merge(BucketKey key, long count, long late, Timestamp revised) {
      BucketCell c = cells.computeIfAbsent(key, k -> new BucketCell());
      c.count += count;
      c.late += late;
      c.revised = later(c.revised, revised);
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
      out.writeInt(cells.size());
      for (Map.Entry<BucketKey, BucketCell> e : cells.entrySet()) {
        BucketKey k = e.getKey();
        out.writeObject(k.type());
        out.writeObject(k.account());
        out.writeInt(k.minutes());
        out.writeLong(k.start());
        out.writeLong(e.getValue().count);
        out.writeLong(e.getValue().late);
        writeTime(out, e.getValue().revised);
      }
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      int n = in.readInt();
      cells = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
      for (int i = 0; i < n; i++) {
        BucketKey k = new BucketKey((String) in.readObject(), (String) in.readObject(), in.readInt(), in.readLong());
        BucketCell c = new BucketCell();
        c.count = in.readLong();
        c.late = in.readLong();
        c.revised = readTime(in);
        cells.put(k, c);
      }
    }

    @Override
    public List<Row> rows(Instant revisedAt) {
      List<BucketKey> keys = new ArrayList<>(cells.keySet());
      keys.sort(BUCKET_ORDER);
      List<Row> out = new ArrayList<>(keys.size());
      for (BucketKey k : keys) {
        BucketCell c = cells.get(k);
        out.add(RowFactory.create(k.type(), k.account(), k.minutes(), new Timestamp(k.start()), c.count, c.late,
            revised(c.late, c.revised, revisedAt)));
      }
      return out;
    }

    @Override
    public int keys() {
      return cells.size();
    }
  }
}
