package io.siloreports.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ingest benchmark's comparator: what a careful engineer would write by hand to load one JSON-lines file of
 * readings into {@code silo_hourly_aggregates}, single-threaded and without Spark. One pass: Jackson's streaming
 * parser per line, the timestamp read by hand (falling back to {@code Instant.parse}), a HashMap from a well-mixed
 * (silo, hour) key to exact sum/min/max/count, then the rows in key order as batched multi-row upserts in one
 * transaction. A line that does not parse, lacks a field or has a value of the wrong type
 * is counted as bad and skipped (the bench data has only truncated lines as bad input).
 *
 * <p>Usage: {@code IngestProgram <file.jsonl> <jdbc url> <user> <password>}; prints one {@code PROGRAM} line.
 * Shares no code with silo-reports on purpose: it is the independent side of the comparison.
 */
public final class IngestProgram {
  private static final String UPSERT =
      "INSERT INTO silo_hourly_aggregates (silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
          + " record_count, sum_exact, min_exact, max_exact, late_count, revised_at, updated_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)"
          + " ON DUPLICATE KEY UPDATE sum_exact = sum_exact + VALUES(sum_exact),"
          + " record_count = record_count + VALUES(record_count), min_exact = LEAST(min_exact, VALUES(min_exact)),"
          + " max_exact = GREATEST(max_exact, VALUES(max_exact)), avg_value = ROUND(sum_exact / record_count, 2),"
          + " min_value = ROUND(min_exact, 2), max_value = ROUND(max_exact, 2), sum_value = ROUND(sum_exact, 2),"
          + " updated_at = VALUES(updated_at)";

  private IngestProgram() {}

  /** Exact aggregates of one silo-hour. */
  private static final class Acc {
    int silo;
    long hour;
    BigDecimal sum = BigDecimal.ZERO;
    BigDecimal min;
    BigDecimal max;
    long count;

    void add(BigDecimal v) {
      sum = sum.add(v);
      if (min == null || v.compareTo(min) < 0) {
        min = v;
      }
      if (max == null || v.compareTo(max) > 0) {
        max = v;
      }
      count++;
    }
  }

  /** yyyy-MM-ddTHH:mm:ss[.fff]Z by hand; anything else through Instant.parse. */
  static long epochSecond(String ts) {
    if (ts.length() >= 20 && ts.charAt(10) == 'T' && ts.charAt(ts.length() - 1) == 'Z') {
      try {
        return java.time.LocalDate.of(num(ts, 0, 4), num(ts, 5, 7), num(ts, 8, 10)).toEpochDay() * 86_400L
            + num(ts, 11, 13) * 3_600L + num(ts, 14, 16) * 60L + num(ts, 17, 19);
      } catch (RuntimeException e) {
        // not the common form after all
      }
    }
    return Instant.parse(ts).getEpochSecond();
  }

  private static int num(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        throw new NumberFormatException(s);
      }
      v = v * 10 + d;
    }
    return v;
  }

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    Path file = Path.of(args[0]);
    JsonFactory json = new JsonFactory();
    Map<Long, Acc> byKey = new HashMap<>();
    long lines = 0;
    long bad = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        long siloId = -1;
        String ts = null;
        BigDecimal value = null;
        try (JsonParser p = json.createParser(line)) {
          if (p.nextToken() != JsonToken.START_OBJECT) {
            bad++;
            continue;
          }
          JsonToken t;
          while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
              case "silo_id" -> siloId = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
              case "ts" -> ts = v == JsonToken.VALUE_STRING ? p.getText() : null;
              case "value" -> value = v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT
                  ? p.getDecimalValue() : null;
              default -> p.skipChildren();
            }
          }
          if (t != JsonToken.END_OBJECT || siloId < 0 || siloId > Integer.MAX_VALUE || ts == null || value == null) {
            bad++;
            continue;
          }
        } catch (Exception e) {
          bad++;
          continue;
        }
        long hour = Math.floorDiv(epochSecond(ts), 3600);
        int silo = (int) siloId;
        // An odd multiplier is a bijection on longs, and spreads the bits Long.hashCode folds together.
        byKey.computeIfAbsent((hour << 32 | silo) * 0x9E3779B97F4A7C15L, k -> {
          Acc a = new Acc();
          a.silo = silo;
          a.hour = hour;
          return a;
        }).add(value);
      }
    }
    long parsed = System.nanoTime();

    List<Acc> keys = new ArrayList<>(byKey.values());
    keys.sort((a, b) -> a.silo != b.silo ? Integer.compare(a.silo, b.silo) : Long.compare(a.hour, b.hour));
    Timestamp now = Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC));
    try (Connection c = DriverManager.getConnection(args[1] + "&rewriteBatchedStatements=true", args[2], args[3])) {
      c.setAutoCommit(false);
      try (PreparedStatement st = c.prepareStatement(UPSERT)) {
        int inBatch = 0;
        for (Acc a : keys) {
          st.setInt(1, a.silo);
          st.setTimestamp(2, Timestamp.valueOf(LocalDateTime.ofEpochSecond(a.hour * 3600, 0, ZoneOffset.UTC)));
          st.setBigDecimal(3, a.sum.divide(BigDecimal.valueOf(a.count), 2, RoundingMode.HALF_UP));
          st.setBigDecimal(4, a.min.setScale(2, RoundingMode.HALF_UP));
          st.setBigDecimal(5, a.max.setScale(2, RoundingMode.HALF_UP));
          st.setBigDecimal(6, a.sum.setScale(2, RoundingMode.HALF_UP));
          st.setLong(7, a.count);
          st.setBigDecimal(8, a.sum);
          st.setBigDecimal(9, a.min);
          st.setBigDecimal(10, a.max);
          st.setTimestamp(11, now);
          st.addBatch();
          if (++inBatch == 1000) {
            st.executeBatch();
            inBatch = 0;
          }
        }
        st.executeBatch();
      }
      c.commit();
    }
    long done = System.nanoTime();
    System.out.printf("PROGRAM lines=%d bad=%d keys=%d parse_s=%.3f write_s=%.3f seconds=%.3f%n", lines, bad,
        keys.size(), (parsed - started) / 1e9, (done - parsed) / 1e9, (done - started) / 1e9);
  }
}
