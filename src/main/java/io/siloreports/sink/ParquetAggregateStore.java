package io.siloreports.sink;

import static org.apache.spark.sql.functions.col;

import io.siloreports.aggregate.Aggregations;
import io.siloreports.ingest.Pipeline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Aggregates in Parquet (local paths, HDFS or s3a), which cannot update in place. Each micro-batch writes
 * its partial aggregates and quarantine rows under their own {@code batch_id=N} directory (overwritten if
 * the batch is replayed), then commits by writing one progress file {@code batch-N.json}. Readers merge
 * the partials of committed batches only, so a batch whose progress file is missing (a crash before the
 * commit) is invisible until it is replayed.
 *
 * <pre>
 * root/silo_hourly_aggregates/batch_id=N/   partials of batch N
 * root/bucket_counts/batch_id=N/
 * root/quarantine/pipeline=P/batch_id=N/    bad and late records of batch N
 * root/aggregation_progress/P/batch-N.json  the commit of batch N ({@link ProgressLog})
 * </pre>
 */
public final class ParquetAggregateStore implements AggregateStore {

  private final SparkSession spark;
  private final String root;
  private final Runnable beforeCommit;
  private final ProgressLog progressLog;

  public ParquetAggregateStore(SparkSession spark, String root) {
    this(spark, root, () -> {});
  }

  /** {@code beforeCommit} runs after the batch's data is written and before its commit (crash tests). */
  public ParquetAggregateStore(SparkSession spark, String root, Runnable beforeCommit) {
    this.spark = spark;
    this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.beforeCommit = beforeCommit;
    this.progressLog = new ProgressLog(spark.sparkContext().hadoopConfiguration(), this.root);
  }

  public String root() {
    return root;
  }

  @Override
  public Optional<AggregationProgress> progress(Pipeline pipeline) {
    return progressLog.last(pipeline);
  }

  @Override
  public void commit(
      Pipeline pipeline, Dataset<Row> partials, Dataset<Row> quarantine, AggregationProgress progress) {
    long batchId = progress.batchId();
    partials.write().mode(SaveMode.Overwrite).parquet(batchDir(pipeline.table, batchId));
    quarantine.write().mode(SaveMode.Overwrite).parquet(quarantineDir(pipeline) + "/batch_id=" + batchId);
    beforeCommit.run();
    progressLog.commit(progress);
  }

  @Override
  public Dataset<Row> aggregates(Pipeline pipeline, AggregationProgress committed) {
    StructType schema = Aggregations.partialSchema(pipeline).add("batch_id", DataTypes.LongType);
    String dir = root + "/" + pipeline.table;
    if (!exists(dir)) {
      return spark.createDataFrame(List.of(), Aggregations.partialSchema(pipeline));
    }
    Dataset<Row> partials =
        spark.read().schema(schema).parquet(dir)
            .filter(col("batch_id").leq(committed.batchId()))
            .drop("batch_id");
    return Aggregations.merge(pipeline, partials);
  }

  @Override
  public Dataset<Row> quarantine(Pipeline pipeline) {
    String dir = quarantineDir(pipeline);
    if (!exists(dir)) {
      return spark.createDataFrame(List.of(), Quarantine.SCHEMA);
    }
    long committed = progress(pipeline).map(AggregationProgress::batchId).orElse(-1L);
    return spark.read().schema(Quarantine.SCHEMA).parquet(dir).filter(col("batch_id").leq(committed));
  }

  private String batchDir(String table, long batchId) {
    return root + "/" + table + "/batch_id=" + batchId;
  }

  private String quarantineDir(Pipeline pipeline) {
    return root + "/quarantine/pipeline=" + pipeline.id;
  }

  private boolean exists(String dir) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
