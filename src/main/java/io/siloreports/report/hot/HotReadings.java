package io.siloreports.report.hot;

import io.siloreports.ingest.CommittedInput;
import io.siloreports.ingest.InputSlice;
import io.siloreports.model.AggregationProgress;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The report's raw ("hot") side: valid readings (silo_id, ts, value) the aggregates do not hold yet, chosen by what
 * the stream has committed ({@link InputSlice}).
 */
public interface HotReadings {

  /**
   * What the stream had read when it committed {@code committed}: its committed file log, Kafka end offsets or table
   * position; empty when this source cannot tell (no checkpoint at the configured place, a position not recorded).
   */
  Optional<CommittedInput> committedInput(AggregationProgress committed);

  /** The valid readings of {@code slice}, as far as they have arrived when read. */
  Dataset<Row> readings(InputSlice slice);

  /**
   * The same readings of {@code silos} (empty: all) as hourly partials ({@code HourlyAggregates.PARTIAL}), read
   * without Spark; empty when this source needs Spark (Kafka, the MySQL raw table, files it cannot read directly).
   */
  default Optional<List<Row>> partialsWithoutSpark(InputSlice slice, List<Integer> silos) {
    return Optional.empty();
  }

  String describe();
}
