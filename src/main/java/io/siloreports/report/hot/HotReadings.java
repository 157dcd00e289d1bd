package io.siloreports.report.hot;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The report's raw ("hot") side: valid readings (silo_id, ts, value) with event times in a range. */
public interface HotReadings {

  /** Valid readings with {@code from <= ts < until}, as far as they have arrived when read. */
  Dataset<Row> readings(Instant from, Instant until);

  /**
   * The same readings of {@code silos} (empty: all) as hourly partials ({@code HourlyAggregates.PARTIAL}), read
   * without Spark; empty when this source needs Spark (Kafka, the MySQL raw table, files it cannot read directly).
   */
  default Optional<List<Row>> partialsWithoutSpark(Instant from, Instant until, List<Integer> silos) {
    return Optional.empty();
  }

  String describe();
}
