package io.siloreports.aggregate;

import io.siloreports.testing.Oracle;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The oracle comparison of {@link HourlyAggregatesTest}, for tests in other packages. */
public final class HourlyAggregatesTestAccess {
  private HourlyAggregatesTestAccess() {}

  public static Map<Oracle.HourKey, Row> collect(Dataset<Row> finished) {
    return HourlyAggregatesTest.collect(finished);
  }

  public static void assertSame(TreeMap<Oracle.HourKey, Oracle.Hour> expected, Map<Oracle.HourKey, Row> got) {
    HourlyAggregatesTest.assertSame(expected, got);
  }
}
