package io.siloreports.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.siloreports.aggregate.HourlyAggregates;
import java.sql.Timestamp;
import io.siloreports.report.workbook.FinalHourlyRow;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The report's hourly rows: finalized partials plus the hot readings aggregated with the same code, merged
 * and rounded once. Pure: Datasets in, Dataset out.
 */
public final class ReportRows {
  private ReportRows() {}

  /**
   * @param aggregates merged hourly partials ({@link HourlyAggregates#PARTIAL}), any hours
   * @param readings valid raw readings (silo_id, ts, value), any times
   * @param silos silos to keep; empty keeps all
   * @return rows in {@link HourlyAggregates#FINAL} and the exact sum ({@link HourlyAggregates#SUM_EXACT})
   */
  public static Dataset<Row> combine(
      Dataset<Row> aggregates, Dataset<Row> readings, ReportRange range, List<Integer> silos) {
    return combinePartials(aggregates, hotPartials(readings, range, silos), range, silos);
  }

  /** The same with the hot part already aggregated ({@link #hotPartials}, or read without Spark). */
  public static Dataset<Row> combinePartials(
      Dataset<Row> aggregates, Dataset<Row> hotPartials, ReportRange range, List<Integer> silos) {
    Dataset<Row> finalized =
        aggregates.filter(
            col("hour_start").geq(ts(range.from())).and(col("hour_start").lt(ts(range.split()))));
    if (!silos.isEmpty()) {
      finalized = finalized.filter(col("silo_id").isin(silos.toArray()));
    }
    return HourlyAggregates.finishKeepingExactSum(
        HourlyAggregates.merge(finalized.unionByName(hotPartials)));
  }

  /** The hot readings of the range (from the split or the first uncommitted event time to hotEnd) of {@code silos} (empty: all) as hourly partials. */
  public static Dataset<Row> hotPartials(Dataset<Row> readings, ReportRange range, List<Integer> silos) {
    Dataset<Row> hot =
        HourlyAggregates.partials(
            readings
                .select("silo_id", "ts", "value")
                .filter(col("ts").geq(ts(io.siloreports.model.Times.min(range.split(), range.uncommittedFrom())))
                    .and(col("ts").lt(ts(range.hotEnd())))));
    return silos.isEmpty() ? hot : hot.filter(col("silo_id").isin(silos.toArray()));
  }

  /**
   * The same rows without Spark, for a store that streams its finalized hours in sheet order: {@code finalized}
   * (partials of hours before the split, in the order of {@code silos}, then hour) and {@code hot} (partials of the
   * readings the aggregates do not hold, any hours, any order) become final rows in sheet order: a hot partial of an
   * hour the aggregates have is merged into it (additive, as the stream merges a late reading), the others take their
   * place among the silo's hours; rounding is {@link HourlyAggregates}' (the Spark form's) own.
   */
  public static Iterator<FinalHourlyRow> inSheetOrder(Iterator<Row> finalized, List<Row> hot, List<Integer> silos) {
    Map<Integer, TreeMap<Long, Row>> hotBySilo = new HashMap<>();
    for (Row r : hot) {
      hotBySilo.computeIfAbsent(r.getInt(0), k -> new TreeMap<>()).put(r.getTimestamp(1).getTime(), r);
    }
    return new Iterator<>() {
      private int position = -1;
      private Peeking hotOfSilo = new Peeking(java.util.Collections.emptyIterator());
      private Row peeked;
      private FinalHourlyRow next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          if (peeked == null && finalized.hasNext()) {
            peeked = finalized.next();
          }
          boolean finalizedOfSilo = position >= 0 && peeked != null && peeked.getInt(0) == silos.get(position);
          if (finalizedOfSilo && hotOfSilo.hasNext()) {
            long stored = peeked.getTimestamp(1).getTime();
            long hot = hotOfSilo.peek().getTimestamp(1).getTime();
            if (hot < stored) {
              next = finish(hotOfSilo.next());
            } else {
              next = finish(hot == stored ? merged(peeked, hotOfSilo.next()) : peeked);
              peeked = null;
            }
          } else if (finalizedOfSilo) {
            next = finish(peeked);
            peeked = null;
          } else if (hotOfSilo.hasNext()) {
            next = finish(hotOfSilo.next());
          } else if (position + 1 < silos.size()) {
            position++;
            TreeMap<Long, Row> h = hotBySilo.get(silos.get(position));
            hotOfSilo = new Peeking(
                h == null ? java.util.Collections.emptyIterator() : h.values().iterator());
          } else if (peeked != null) {
            throw new IllegalStateException("the store returned silo " + peeked.getInt(0) + " out of sheet order");
          } else {
            return false;
          }
        }
        return true;
      }

      @Override
      public FinalHourlyRow next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        FinalHourlyRow r = next;
        next = null;
        return r;
      }
    };
  }

  /** An iterator that shows its next row without taking it. */
  private static final class Peeking {
    private final Iterator<Row> rows;
    private Row head;

    Peeking(Iterator<Row> rows) {
      this.rows = rows;
    }

    boolean hasNext() {
      return head != null || rows.hasNext();
    }

    Row peek() {
      if (head == null) {
        head = rows.next();
      }
      return head;
    }

    Row next() {
      Row r = peek();
      head = null;
      return r;
    }
  }

  /**
   * Two partials of one silo-hour as one ({@link HourlyAggregates#PARTIAL}): sums and counts added, min and max of
   * both, the later revision; what {@link HourlyAggregates#merge} does for the Spark form.
   */
  static Row merged(Row a, Row b) {
    BigDecimal minA = a.getDecimal(3);
    BigDecimal minB = b.getDecimal(3);
    BigDecimal maxA = a.getDecimal(4);
    BigDecimal maxB = b.getDecimal(4);
    java.sql.Timestamp revisedA = a.isNullAt(7) ? null : a.getTimestamp(7);
    java.sql.Timestamp revisedB = b.isNullAt(7) ? null : b.getTimestamp(7);
    return org.apache.spark.sql.RowFactory.create(a.getInt(0), a.getTimestamp(1), a.getDecimal(2).add(b.getDecimal(2)),
        minA.compareTo(minB) <= 0 ? minA : minB, maxA.compareTo(maxB) >= 0 ? maxA : maxB, a.getLong(5) + b.getLong(5),
        (a.isNullAt(6) ? 0 : a.getLong(6)) + (b.isNullAt(6) ? 0 : b.getLong(6)),
        revisedA == null ? revisedB : revisedB == null || revisedA.after(revisedB) ? revisedA : revisedB);
  }

  /** A merged partial ({@link HourlyAggregates#PARTIAL}) rounded for the report, as {@link HourlyAggregates#finish}. */
  static FinalHourlyRow finish(Row p) {
    BigDecimal sum = p.getDecimal(2);
    long count = p.getLong(5);
    return new FinalHourlyRow(p.getInt(0), p.getTimestamp(1).toInstant(), HourlyAggregates.average(sum, count),
        HourlyAggregates.rounded(p.getDecimal(3)), HourlyAggregates.rounded(p.getDecimal(4)),
        HourlyAggregates.rounded(sum), count, p.isNullAt(6) ? 0 : p.getLong(6),
        p.isNullAt(7) ? null : p.getTimestamp(7).toInstant(), sum);
  }

  private static Column ts(java.time.Instant t) {
    return lit(Timestamp.from(t));
  }
}
