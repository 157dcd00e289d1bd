package io.siloreports.store;

import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.model.Pipeline;
import io.siloreports.pipeline.PipelineDescriptor;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The hourly partials of a Parquet store read with parquet-hadoop alone, no Spark: a small report of a laptop's
 * store is done before a SparkSession would have started. Reads what Spark wrote ({@code INT96} or {@code INT64}
 * timestamps, decimals of any physical type), merges the partials with {@link PartialCombiner} and refuses (null)
 * when the row groups it has to read hold more than {@code maxRows} rows, which Spark reads in parallel instead.
 * Row groups whose {@code hour_start} statistics lie outside the range are skipped unread (the store writes its
 * partials sorted by hour with INT64 timestamps, which carry statistics; INT96 ones do not), so a report's read grows
 * with its range, not with the store's history.
 */
final class ParquetPartials {
  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;

  private ParquetPartials() {}

  /** What a read returned and how many stored rows it decoded and skipped unread. */
  record Read(List<Row> rows, long decoded, long skipped) {}

  /**
   * Merged partials ({@code HourlyAggregates.PARTIAL}) of hours {@code [from, to)} and {@code silos} (empty: all), in
   * key order, from the Parquet files under {@code dirs}, with the counts of stored rows decoded and skipped; null
   * when the row groups to read hold more than {@code maxRows} rows.
   */
  static Read read(Configuration hadoop, List<Path> dirs, Set<Integer> silos, Instant from, Instant to,
      long maxRows) throws IOException {
    PartialCombiner combiner = PipelineDescriptor.of(Pipeline.SILO_READINGS).aggregation().newCombiner();
    long fromMicros = micros(Timestamp.from(from));
    long toMicros = micros(Timestamp.from(to));
    long rows = 0;
    long skipped = 0;
    for (Path dir : dirs) {
      FileSystem fs = dir.getFileSystem(hadoop);
      for (FileStatus st : fs.listStatus(dir)) {
        if (!st.isFile() || !st.getPath().getName().endsWith(".parquet")) {
          continue;
        }
        // One open per file: each row group's statistics in the footer first (outside the range: skipped; too many
        // rows to read: Spark's job), then the row group.
        try (ParquetFileReader file = ParquetFileReader.open(HadoopInputFile.fromStatus(st, hadoop))) {
          MessageType schema = file.getFooter().getFileMetaData().getSchema();
          for (BlockMetaData block : file.getRowGroups()) {
            if (outside(block, fromMicros, toMicros)) {
              file.skipNextRowGroup();
              skipped += block.getRowCount();
              continue;
            }
            rows += block.getRowCount();
            if (rows > maxRows) {
              return null;
            }
            PageReadStore pages = file.readNextRowGroup();
            RecordReader<Group> records =
                new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
            for (long i = 0; i < pages.getRowCount(); i++) {
              Group g = records.read();
              int silo = g.getInteger("silo_id", 0);
              Timestamp hour = timestamp(g, "hour_start");
              long at = micros(hour);
              if (at < fromMicros || at >= toMicros || !silos.isEmpty() && !silos.contains(silo)) {
                continue;
              }
              combiner.merge(RowFactory.create(silo, hour, decimal(g, "sum_value"), decimal(g, "min_value"),
                  decimal(g, "max_value"), g.getLong("record_count", 0),
                  has(g, "late_count") ? g.getLong("late_count", 0) : 0L,
                  has(g, "revised_at") ? timestamp(g, "revised_at") : null));
            }
          }
        }
      }
    }
    return new Read(combiner.rows(null), rows, skipped);
  }

  /** Whether a row group's {@code hour_start} statistics say none of its rows is in {@code [from, to)}. */
  private static boolean outside(BlockMetaData block, long fromMicros, long toMicros) {
    for (ColumnChunkMetaData column : block.getColumns()) {
      if (!column.getPath().toDotString().equals("hour_start")) {
        continue;
      }
      PrimitiveType type = column.getPrimitiveType();
      Statistics<?> stats = column.getStatistics();
      if (type.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.INT64 || stats == null || stats.isEmpty()
          || !stats.hasNonNullValue()) {
        return false; // INT96 or no statistics: read it
      }
      long scale = type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t
          && t.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS ? 1000 : 1;
      long min = (Long) stats.genericGetMin() * scale;
      long max = (Long) stats.genericGetMax() * scale;
      return max < fromMicros || min >= toMicros;
    }
    return false;
  }

  private static boolean has(Group g, String field) {
    return g.getType().containsField(field) && g.getFieldRepetitionCount(field) > 0;
  }

  private static long micros(Timestamp t) {
    return t.getTime() / 1000 * 1_000_000 + t.getNanos() / 1000;
  }

  private static Timestamp timestamp(Group g, String field) {
    PrimitiveType type = g.getType().getType(field).asPrimitiveType();
    long micros;
    if (type.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT96) {
      ByteBuffer b = g.getInt96(field, 0).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long nanosOfDay = b.getLong();
      long julianDay = b.getInt() & 0xFFFFFFFFL;
      micros = (julianDay - JULIAN_DAY_OF_EPOCH) * 86_400_000_000L + nanosOfDay / 1000;
    } else {
      long v = g.getLong(field, 0);
      LogicalTypeAnnotation a = type.getLogicalTypeAnnotation();
      boolean millis = a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t
          && t.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS;
      micros = millis ? v * 1000 : v;
    }
    Timestamp t = new Timestamp(Math.floorDiv(micros, 1000));
    t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
    return t;
  }

  private static BigDecimal decimal(Group g, String field) {
    Type t = g.getType().getType(field);
    PrimitiveType type = t.asPrimitiveType();
    int scale = ((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) type.getLogicalTypeAnnotation()).getScale();
    return switch (type.getPrimitiveTypeName()) {
      case INT32 -> BigDecimal.valueOf(g.getInteger(field, 0), scale);
      case INT64 -> BigDecimal.valueOf(g.getLong(field, 0), scale);
      default -> {
        Binary b = g.getBinary(field, 0);
        yield new BigDecimal(new BigInteger(b.getBytes()), scale);
      }
    };
  }
}
