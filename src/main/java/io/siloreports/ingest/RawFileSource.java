package io.siloreports.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Raw JSON-lines files of a pipeline under {@code <inputDir>/<pipeline id>/} (local, HDFS or s3a), read as a
 * stream by the streaming job and as a batch by the report's hot read. Both yield the columns
 * {@code line} and {@code source} (the file) that {@link ParsedRecords#parse} takes.
 */
public final class RawFileSource {
  private final String inputDir;

  public RawFileSource(String inputDir) {
    this.inputDir = inputDir.endsWith("/") ? inputDir.substring(0, inputDir.length() - 1) : inputDir;
  }

  public String dir(Pipeline pipeline) {
    return inputDir + "/" + pipeline.id;
  }

  /** Streaming read; {@code options} are passed to Spark's text source (maxFilesPerTrigger, cleanSource, ...). */
  public Dataset<Row> stream(SparkSession spark, Pipeline pipeline, Map<String, String> options) {
    return spark.readStream().options(options).format("text").load(dir(pipeline))
        .select(col("value").as("line"), input_file_name().as("source"));
  }

  /** Every line that has arrived so far. */
  public Dataset<Row> batch(SparkSession spark, Pipeline pipeline) {
    return spark.read().format("text").load(dir(pipeline))
        .select(col("value").as("line"), input_file_name().as("source"));
  }
}
