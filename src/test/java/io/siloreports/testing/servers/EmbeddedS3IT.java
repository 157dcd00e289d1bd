package io.siloreports.testing.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.LocalSpark;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/** S3Proxy as the report job will use S3: AWS SDK v2 uploads, presigned downloads, and Spark over s3a. */
class EmbeddedS3IT {
  private static EmbeddedS3 s3;
  private static S3Client client;

  @BeforeAll
  static void startServer() {
    s3 = SharedTestServers.s3();
    client = s3.s3Client();
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  @Test
  void presignedGetReturnsTheUploadedBytes() throws Exception {
    byte[] workbook = new byte[300_000];
    for (int i = 0; i < workbook.length; i++) {
      workbook[i] = (byte) (i * 31 + 7);
    }
    String key = "reports/job-1/silo_data_report.xlsx";
    client.putObject(b -> b.bucket(s3.bucket()).key(key), RequestBody.fromBytes(workbook));

    URI url;
    try (S3Presigner presigner = s3.presigner()) {
      PresignedGetObjectRequest presigned =
          presigner.presignGetObject(
              p -> p.signatureDuration(Duration.ofMinutes(15)).getObjectRequest(g -> g.bucket(s3.bucket()).key(key)));
      url = presigned.url().toURI();
    }
    assertTrue(url.toString().startsWith(s3.endpoint() + "/" + s3.bucket() + "/" + key), url.toString());
    assertTrue(url.getQuery().contains("X-Amz-Signature="), url.toString());

    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, response.statusCode());
    assertArrayEquals(workbook, response.body());

    // The signature covers the key: the same query on another key is refused.
    URI tampered = URI.create(url.toString().replace("silo_data_report.xlsx", "other.xlsx"));
    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(tampered).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, refused.statusCode(), refused.body());
  }

  @Test
  void wrongSecretIsRefused() {
    try (S3Client wrong =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .region(EmbeddedS3.REGION)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), "not-the-secret")))
            .build()) {
      S3Exception e = assertThrows(S3Exception.class, () -> wrong.listObjectsV2(b -> b.bucket(s3.bucket())));
      assertEquals(403, e.statusCode());
    }
  }

  @Test
  void sparkWritesAndReadsParquetThroughS3a() {
    SparkSession spark = LocalSpark.get();
    s3.applyTo(spark.sparkContext().hadoopConfiguration());
    String path = s3.s3aUri("smoke/hourly.parquet");

    Dataset<Row> hourly =
        spark.sql(
            "SELECT CAST(id % 4 AS INT) AS silo_id, CAST(id AS DECIMAL(20,6)) / 8 AS sum_value"
                + " FROM range(0, 1000, 1, 3)");
    hourly.write().mode("overwrite").parquet(path); // 3 part files, a commit through S3A rename and delete

    Row totals = spark.read().parquet(path).selectExpr("count(*)", "sum(sum_value)", "count(DISTINCT silo_id)").first();
    assertEquals(1000L, totals.getLong(0));
    assertEquals(0, new BigDecimal("62437.5").compareTo(totals.getDecimal(1)));
    assertEquals(4L, totals.getLong(2));

    List<String> keys =
        client.listObjectsV2(b -> b.bucket(s3.bucket()).prefix("smoke/hourly.parquet/")).contents().stream()
            .map(S3Object::key)
            .collect(Collectors.toList());
    assertTrue(keys.contains("smoke/hourly.parquet/_SUCCESS"), keys.toString());
    assertTrue(keys.stream().filter(k -> k.endsWith(".parquet")).count() >= 3, keys.toString());
    assertTrue(keys.stream().noneMatch(k -> k.contains("_temporary")), "the commit cleaned up: " + keys);

    // Overwrite goes through S3A's multi-object delete, which is what S3Proxy needs its pins for.
    spark.range(5).write().mode("overwrite").parquet(path);
    assertEquals(5L, spark.read().parquet(path).count());
    assertEquals(
        "hello",
        new String(
            client
                .getObjectAsBytes(b -> b.bucket(s3.bucket()).key(putText("smoke/hello.txt", "hello")))
                .asByteArray(),
            StandardCharsets.UTF_8));
  }

  private static String putText(String key, String text) {
    client.putObject(b -> b.bucket(s3.bucket()).key(key), RequestBody.fromString(text));
    return key;
  }
}
