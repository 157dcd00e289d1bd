package io.siloreports.report.hot;

import java.time.Instant;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The report's raw ("hot") side: valid readings (silo_id, ts, value) with event times in a range. */
public interface HotReadings {

  /** Valid readings with {@code from <= ts < until}, as they had arrived at {@code until}. */
  Dataset<Row> readings(Instant from, Instant until);

  String describe();
}
