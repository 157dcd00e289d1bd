package io.siloreports.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.aggregate.HourlyAggregates;
import io.siloreports.aggregate.HourlyAggregatesTestAccess;
import io.siloreports.cli.Main;
import io.siloreports.cli.StoreConfig;
import io.siloreports.config.Settings;
import io.siloreports.cli.Wiring;
import io.siloreports.model.AggregationProgress;
import io.siloreports.model.Pipeline;
import io.siloreports.testing.InputFiles;
import io.siloreports.testing.LocalSpark;
import io.siloreports.testing.Oracle;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestData;
import io.siloreports.testing.servers.EmbeddedS3;
import io.siloreports.testing.servers.SharedTestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.Path;
import org.apache.spark.internal.io.cloud.AbortableStreamBasedCheckpointFileManager;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The stream's checkpoints on S3 (S3Proxy through hadoop-aws's s3a, as on EMR 7.10+ where S3A is the S3 connector):
 * an {@code s3a://} checkpoint root gets Spark's {@code AbortableStreamBasedCheckpointFileManager}
 * (spark-hadoop-cloud; Spark 3.5's docs/cloud-integration.md), which writes each checkpoint file in place instead of
 * renaming it; the stream runs, stops on a stop object under the same root, and resumes exactly from those
 * checkpoints.
 */
class S3CheckpointIT {
  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final String MANAGER = "spark.sql.streaming.checkpointFileManagerClass";
  private final SparkSession spark = LocalSpark.get();
  private final EmbeddedS3 s3 = SharedTestServers.s3();
  private final Random rnd = new Random(37);
  private final List<Oracle.Reading> counted = new ArrayList<>();
  @TempDir java.nio.file.Path tmp;

  @AfterEach
  void sessionAsBefore() {
    spark.conf().unset(MANAGER); // the shared test session: the other tests checkpoint on local disk
  }

  private void file(int index, int h0, int h1) throws Exception {
    List<Oracle.Reading> r = TestData.readings(rnd).silos(3).hours(DAY, h0, h1).every(120, 300).build();
    InputFiles.write(tmp.resolve("input/silo-readings"), String.format("readings-%02d.jsonl", index), TestData.json(r));
    counted.addAll(r);
  }

  private static String[] args(Map<String, String> profile) {
    List<String> a = new ArrayList<>(List.of("stream"));
    profile.forEach((k, v) -> a.addAll(List.of("--conf", k + "=" + v)));
    return a.toArray(String[]::new);
  }

  private List<String> keys(String prefix) {
    return s3.s3Client().listObjectsV2(b -> b.bucket(s3.bucket()).prefix(prefix)).contents().stream()
        .map(S3Object::key).toList();
  }

  private long committed(Map<String, String> profile) {
    return Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress().last(Pipeline.SILO_READINGS)
        .map(AggregationProgress::validTotal).orElse(0L);
  }

  @Test
  void checkpointsOnS3AreWrittenInPlaceAndTheStreamResumesExactlyFromThem() throws Exception {
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
    String prefix = "checkpoints-" + System.nanoTime();
    Map<String, String> profile = Profiles.embedded(tmp);
    profile.put("stream.pipelines", "silo-readings");
    profile.put("checkpoint.dir", s3.s3aUri(prefix));
    file(0, 0, 3);

    assertEquals(Main.DONE, Main.run(args(profile)), "available-now over S3 checkpoints");
    assertEquals(AbortableStreamBasedCheckpointFileManager.class.getName(), spark.conf().get(MANAGER));
    assertInstanceOf(AbortableStreamBasedCheckpointFileManager.class, CheckpointFileManager.create(
        new Path(s3.s3aUri(prefix + "/silo-readings")), spark.sessionState().newHadoopConf()),
        "what Spark builds for the checkpoint with the stream's settings");
    List<String> written = keys(prefix + "/silo-readings/");
    assertTrue(written.contains(prefix + "/silo-readings/offsets/0")
        && written.contains(prefix + "/silo-readings/commits/0"),
        written.toString());
    assertTrue(written.stream().noneMatch(k -> k.endsWith(".tmp")), "nothing written aside and renamed: " + written);

    // Interval mode, stopped by an object under the checkpoint root: exit 0, the object deleted.
    file(1, 3, 6);
    profile.put("stream.trigger", "300ms");
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run(args(profile)));
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (committed(profile) < counted.size()) {
      assertFalse(run.isDone());
      assertTrue(System.nanoTime() < end, "committed " + committed(profile) + " of " + counted.size());
      Thread.sleep(200);
    }
    s3.s3Client().putObject(b -> b.bucket(s3.bucket()).key(prefix + "/STOP"), RequestBody.empty());
    assertEquals(Main.DONE, run.get(60, TimeUnit.SECONDS), "the stop object ends the run normally");
    assertFalse(keys(prefix + "/").contains(prefix + "/STOP"), "the stop object is deleted");

    file(2, 6, 8);
    profile.put("stream.trigger", "available-now");
    assertEquals(Main.DONE, Main.run(args(profile)));
    AggregationProgress last = Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).progress()
        .last(Pipeline.SILO_READINGS).orElseThrow();
    assertEquals(counted.size(), last.validTotal(), "every reading once across three runs on S3 checkpoints");
    HourlyAggregatesTestAccess.assertSame(Oracle.hourly(counted), HourlyAggregatesTestAccess.collect(
        HourlyAggregates.finish(Wiring.stores(StoreConfig.from(Settings.of(profile)), spark).aggregates()
            .aggregates(Pipeline.SILO_READINGS, last))));
  }
}
