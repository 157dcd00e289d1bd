package io.siloreports.testing;

import io.siloreports.testing.servers.EmbeddedMySql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The aggregate tables of a test's MariaDB read back as a person would with SQL (rounded columns as stored), in the
 * shapes the oracle's hours and buckets compare to.
 */
public final class MySqlTables {
  private MySqlTables() {}

  /** The single number a query returns. */
  public static long count(EmbeddedMySql mysql, String sql) throws Exception {
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@code silo_hourly_aggregates}: hour -> "avg min max sum count", as stored. */
  public static Map<Oracle.HourKey, String> hourly(EmbeddedMySql mysql) throws Exception {
    return hourly(mysql, h -> true);
  }

  public static Map<Oracle.HourKey, String> hourly(EmbeddedMySql mysql, Predicate<Oracle.HourKey> keep)
      throws Exception {
    Map<Oracle.HourKey, String> out = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT silo_id, hour_start, avg_value, min_value, max_value, sum_value,"
            + " record_count FROM silo_hourly_aggregates")) {
      while (rs.next()) {
        Oracle.HourKey k = new Oracle.HourKey(rs.getInt(1), rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC));
        if (keep.test(k)) {
          out.put(k, rs.getBigDecimal(3) + " " + rs.getBigDecimal(4) + " " + rs.getBigDecimal(5) + " "
              + rs.getBigDecimal(6) + " " + rs.getLong(7));
        }
      }
    }
    return out;
  }

  /** The oracle's hours rounded like the table, in {@link #hourly}'s shape. */
  public static Map<Oracle.HourKey, String> rounded(TreeMap<Oracle.HourKey, Oracle.Hour> hours) {
    Map<Oracle.HourKey, String> out = new TreeMap<>();
    hours.forEach((k, h) -> out.put(k, h.avg2() + " " + h.min2() + " " + h.max2() + " " + h.sum2() + " " + h.count));
    return out;
  }

  /** {@code bucket_counts}: bucket -> count. */
  public static TreeMap<Oracle.BucketKey, Long> buckets(EmbeddedMySql mysql) throws Exception {
    return buckets(mysql, b -> true);
  }

  public static TreeMap<Oracle.BucketKey, Long> buckets(EmbeddedMySql mysql, Predicate<Oracle.BucketKey> keep)
      throws Exception {
    TreeMap<Oracle.BucketKey, Long> out = new TreeMap<>();
    try (Connection c = mysql.rootConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT record_type, account_id, bucket_minutes, bucket_start, record_count"
            + " FROM bucket_counts")) {
      while (rs.next()) {
        Oracle.BucketKey k = new Oracle.BucketKey(rs.getString(1), rs.getString(2), rs.getInt(3),
            rs.getObject(4, LocalDateTime.class).toInstant(ZoneOffset.UTC));
        if (keep.test(k)) {
          out.put(k, rs.getLong(5));
        }
      }
    }
    return out;
  }
}
