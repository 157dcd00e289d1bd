package io.siloreports.bench;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.PartialCombiner;
import io.siloreports.ingest.ReadingBytes;
import io.siloreports.ingest.RecordFormat;
import io.siloreports.testing.TestRules;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.apache.spark.sql.Row;

/**
 * The stream's per-line work in one thread, both ways in the same JVM, alternating: a line decoded to a {@code String},
 * parsed to a row ({@code RecordFormat.READINGS.fromJson}, the general path, still taken by every uncommon line) and
 * added to an hourly combiner, against the same line read from its bytes ({@code ReadingBytes}) and added as numbers.
 * Valid lines shaped as bench/ingest makes them (1,000 silos over 72 hours, times in milliseconds, values
 * with two decimals). Checks that both combiners give equal
 * rows. Run by bench/ingest/lines.
 */
public final class IngestLineBench {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    Instant start = Instant.parse("2026-11-20T00:00:00Z");
    Random rnd = new Random(1);
    byte[][] lines = new byte[n][];
    for (int i = 0; i < n; i++) {
      int cents = rnd.nextInt(10_000);
      String line = "{\"silo_id\": " + (1 + rnd.nextInt(1000)) + ", \"ts\": \""
          + start.plusMillis((long) i * 72 * 3_600_000L / n) + "\", \"value\": " + cents / 100 + "."
          + (cents % 100 < 10 ? "0" : "") + cents % 100 + "}";
      lines[i] = line.getBytes(StandardCharsets.UTF_8);
    }
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      PartialCombiner c = HourlyAggregates.AGGREGATION.newCombiner();
      for (byte[] b : lines) {
        String line = new String(b, StandardCharsets.UTF_8);
        Row r = RecordFormat.READINGS.fromJson(line, "file:/x", TestRules.DEFAULTS, now);
        c.add(r, false);
      }
      long t1 = System.nanoTime();
      PartialCombiner d = HourlyAggregates.AGGREGATION.newCombiner();
      ReadingBytes rb = new ReadingBytes(TestRules.DEFAULTS, now);
      int fast = 0;
      for (byte[] b : lines) {
        if (rb.read(b, 0, b.length)) {
          fast++;
          d.addReading(rb.siloId(), Math.floorDiv(rb.ts().toEpochMilli(), 3_600_000L), rb.unscaledValue(), false);
        }
      }
      long t2 = System.nanoTime();
      if (!c.rows(null).equals(d.rows(null)) || fast != n) {
        throw new AssertionError("paths differ");
      }
      System.out.printf("rep %d: string+row path %.0f ns/line, bytes path %.0f ns/line (%d keys, equal rows)%n", rep,
          (t1 - t0) / (double) n, (t2 - t1) / (double) n, c.keys());
    }
  }
}
