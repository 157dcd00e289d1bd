package io.siloreports.store;

import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/**
 * {@link StoreQueries} on the Parquet layout, with the Parquet library alone (no Spark): reads the committed partial
 * files ({@link ParquetLayout#committedPartialDirs}) and merges them by key, as the Spark readers do. Meant for the
 * embedded default's sizes; production reads MySQL.
 */
public final class ParquetStoreQueries implements StoreQueries {
  /** Days between the Julian day number Spark's INT96 timestamps count from and 1970-01-01. */
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private final ParquetLayout layout;
  private final Configuration hadoop;
  private final ProgressStore progress;

  public ParquetStoreQueries(Configuration hadoop, String root, ProgressStore progress) {
    this.hadoop = hadoop;
    this.layout = new ParquetLayout(hadoop, root);
    this.progress = progress;
  }

  @Override
  public List<Integer> silos() {
    TreeSet<Integer> silos = new TreeSet<>();
    forEachRow(Pipeline.SILO_READINGS, g -> silos.add(g.getInteger("silo_id", 0)));
    return List.copyOf(silos);
  }

  @Override
  public List<BucketCount> buckets(
      String recordType, String accountId, int minutes, Instant from, Instant to, int limit) {
    Map<String, BucketCount> merged = new TreeMap<>();
    forEachRow(Pipeline.ACTIVITY_EVENTS, g -> {
      if (!g.getString("record_type", 0).equals(recordType) || g.getInteger("bucket_minutes", 0) != minutes) {
        return;
      }
      String account = g.getString("account_id", 0);
      Instant start = timestamp(g, "bucket_start");
      if ((accountId != null && !accountId.equals(account)) || start.isBefore(from) || !start.isBefore(to)) {
        return;
      }
      long count = g.getLong("record_count", 0);
      merged.merge(account + "\u0000" + start, new BucketCount(recordType, account, minutes, start, count),
          (a, b) -> new BucketCount(recordType, account, minutes, start, a.count() + b.count()));
    });
    List<BucketCount> out = new ArrayList<>(merged.values());
    out.sort(Comparator.comparing(BucketCount::accountId).thenComparing(BucketCount::start));
    return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
  }

  private interface RowConsumer {
    void accept(Group row);
  }

  private void forEachRow(Pipeline pipeline, RowConsumer consumer) {
    Optional<AggregationProgress> committed = progress.last(pipeline);
    if (committed.isEmpty()) {
      return;
    }
    for (Path file : layout.partFiles(layout.committedPartialDirs(pipeline, committed.get().batchId()))) {
      try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(hadoop).build()) {
        for (Group g = reader.read(); g != null; g = reader.read()) {
          consumer.accept(g);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  /** A timestamp as Spark writes it: INT96 (its default: nanos of the day and a Julian day) or INT64 micros. */
  private static Instant timestamp(Group g, String field) {
    PrimitiveType type = g.getType().getType(field).asPrimitiveType();
    if (type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
      ByteBuffer b = ByteBuffer.wrap(g.getInt96(field, 0).getBytes()).order(ByteOrder.LITTLE_ENDIAN);
      long nanosOfDay = b.getLong();
      long julianDay = b.getInt() & 0xFFFFFFFFL;
      return Instant.ofEpochSecond((julianDay - JULIAN_EPOCH_DAY) * 86_400L, nanosOfDay);
    }
    long v = g.getLong(field, 0);
    if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t
        && t.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS) {
      return Instant.ofEpochMilli(v);
    }
    return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
  }
}
