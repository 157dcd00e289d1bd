package io.siloreports.report.workbook;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A report's rows on the driver in sheet order (the order of the silo list, then hour).
 *
 * <p>From a store that reads in key order ({@link #prefetch}), the rows come as the store streams them. From a
 * Dataset ({@link #open}), Spark sorts them and hands them over one partition at a time ({@code toLocalIterator}),
 * so the driver holds at most one partition however large the report is. Either way a daemon thread fetches and
 * decodes rows up to {@value #PREFETCH_ROWS} ahead of the consumer, so reading the next rows overlaps the workbook
 * writing instead of alternating with it. Close it to stop that thread early.
 */
public final class RowsInSheetOrder implements Iterator<FinalHourlyRow>, AutoCloseable {

  /**
   * Rows per partition the driver receives at once: ~70 bytes each as Spark ships them (before
   * decoding), so a partition stays around 15 MB.
   */
  static final long ROWS_PER_PARTITION = 200_000;

  static final int BATCH_ROWS = 1_024;
  static final int PREFETCH_ROWS = 64 * BATCH_ROWS;

  private static final int MAX_PARTITIONS = 10_000;
  private static final String SHEET_POSITION = "_sheet_position";
  private static final List<FinalHourlyRow> END = new ArrayList<>(0);

  private final BlockingQueue<List<FinalHourlyRow>> batches =
      new ArrayBlockingQueue<>(PREFETCH_ROWS / BATCH_ROWS);
  private final Thread fetcher;
  private volatile Throwable failure;
  private volatile boolean closed;
  private List<FinalHourlyRow> batch = List.of();
  private int next;

  private RowsInSheetOrder(Iterator<FinalHourlyRow> source, AutoCloseable resource) {
    fetcher = new Thread(() -> fetch(source, resource), "report-rows-fetcher");
    fetcher.setDaemon(true);
  }

  /**
   * Starts fetching {@code rows}, already in sheet order, ahead of the consumer; {@code resource} (the store's read) is
   * closed by the fetching thread when it ends.
   */
  public static RowsInSheetOrder prefetch(Iterator<FinalHourlyRow> rows, AutoCloseable resource) {
    RowsInSheetOrder iterator = new RowsInSheetOrder(rows, resource);
    iterator.fetcher.start();
    return iterator;
  }

  /**
   * Starts fetching {@code rows} sorted by the silo's position in {@code silos}, then {@code hour_start}.
   * Rows of silos missing from {@code silos} come first (their position is 0), so a caller sees them
   * before writing anything.
   */
  public static RowsInSheetOrder open(Dataset<Row> rows, List<Integer> silos, ReportHeader header) {
    Dataset<Row> sorted = sorted(rows, silos, header);
    Iterator<FinalHourlyRow> decoded = new Iterator<>() {
      private Iterator<Row> source;

      @Override
      public boolean hasNext() {
        if (source == null) {
          source = sorted.toLocalIterator(); // Spark's first job starts here, in the fetching thread
        }
        return source.hasNext();
      }

      @Override
      public FinalHourlyRow next() {
        return FinalHourlyRow.from(source.next());
      }
    };
    return prefetch(decoded, () -> { });
  }

  static Dataset<Row> sorted(Dataset<Row> rows, List<Integer> silos, ReportHeader header) {
    Column sheetPosition =
        silos.isEmpty()
            ? lit(0)
            : array_position(array(silos.stream().map(s -> lit(s.intValue())).toArray(Column[]::new)), col("silo_id"));
    // A range shuffle into a known number of partitions (AQE does not coalesce an explicit number),
    // sorted within each: the same order as orderBy, with the partition size chosen here rather than by
    // spark.sql.shuffle.partitions.
    Dataset<Row> positioned = rows.withColumn(SHEET_POSITION, sheetPosition);
    return positioned
        .repartitionByRange(partitions(silos.size(), header), col(SHEET_POSITION), col("hour_start"))
        .sortWithinPartitions(SHEET_POSITION, "hour_start")
        .select(FinalHourlyRow.columns(positioned));
  }

  /** Enough partitions for the largest report the header allows: one row per silo and hour of the range. */
  static int partitions(int silos, ReportHeader header) {
    long hours = 1;
    if (header.from() != null && header.to() != null && header.to().isAfter(header.from())) {
      hours = Math.max(1, Duration.between(header.from(), header.to()).toHours());
    }
    long expectedRows = Math.max(1, silos) * hours;
    long partitions = (expectedRows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION;
    return (int) Math.min(MAX_PARTITIONS, Math.max(1, partitions));
  }

  private void fetch(Iterator<FinalHourlyRow> source, AutoCloseable resource) {
    try (resource) {
      List<FinalHourlyRow> filling = new ArrayList<>(BATCH_ROWS);
      while (!closed && source.hasNext()) {
        filling.add(source.next());
        if (filling.size() == BATCH_ROWS) {
          if (!hand(filling)) {
            return;
          }
          filling = new ArrayList<>(BATCH_ROWS);
        }
      }
      if (!filling.isEmpty() && !hand(filling)) {
        return;
      }
    } catch (Throwable t) {
      failure = t;
    }
    hand(END);
  }

  /**
   * Queues a batch, waiting while the queue is full; false once the consumer has closed. Polls instead
   * of being interrupted: an interrupt inside a Spark job can leave the shared context busy.
   */
  private boolean hand(List<FinalHourlyRow> rows) {
    try {
      while (!closed) {
        if (batches.offer(rows, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** Whether the fetching thread is still running (tests). */
  boolean fetching() {
    return fetcher.isAlive();
  }

  @Override
  public boolean hasNext() {
    if (next < batch.size()) {
      return true;
    }
    if (batch == END) {
      return false;
    }
    try {
      batch = batches.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for report rows from Spark", e);
    }
    next = 0;
    if (batch == END) {
      Throwable t = failure;
      if (t instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (t instanceof Error error) {
        throw error;
      }
      if (t != null) {
        throw new IllegalStateException("fetching report rows from Spark failed", t);
      }
      return false;
    }
    return true;
  }

  @Override
  public FinalHourlyRow next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return batch.get(next++);
  }

  /**
   * Stops the fetching thread: at once if it waits for the consumer, else after the Spark partition job
   * it is in (at most one partition's worth of work).
   */
  @Override
  public void close() {
    closed = true;
  }
}
