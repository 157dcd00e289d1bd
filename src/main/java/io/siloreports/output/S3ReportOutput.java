package io.siloreports.output;

import io.siloreports.reportjob.DownloadLinks;
import io.siloreports.reportjob.ReportOutput;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

/**
 * Reports in S3: uploaded to {@code s3://<bucket>/<prefix>reports/<jobId>/silo_data_report.xlsx} and handed out
 * as a presigned GET URL valid for {@code ttl} (AWS SDK v2). Credentials come from the default AWS chain
 * (instance profile on EMR, environment, profile) unless given, for a local S3-compatible server.
 */
public final class S3ReportOutput implements ReportOutput, DownloadLinks, AutoCloseable {

  /** Connection settings; {@code endpoint} and static keys only for S3-compatible servers (S3Proxy, MinIO). */
  public record Settings(
      String bucket, String prefix, String region, String endpoint, boolean pathStyle,
      String accessKey, String secretKey, Duration ttl) {}

  private final Settings settings;
  private final S3Client s3;
  private final S3Presigner presigner;

  public S3ReportOutput(Settings settings) {
    this.settings = settings;
    AwsCredentialsProvider credentials =
        settings.accessKey() != null
            ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
            : DefaultCredentialsProvider.builder().build();
    S3Configuration s3conf = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
    var client = S3Client.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
        .serviceConfiguration(s3conf);
    var presign = S3Presigner.builder().region(Region.of(settings.region())).credentialsProvider(credentials)
        .serviceConfiguration(s3conf);
    if (settings.endpoint() != null) {
      // S3-compatible servers (S3Proxy 2.7, older MinIO) answer the SDK's default CRC trailer with 501.
      client.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      client.endpointOverride(URI.create(settings.endpoint()));
      presign.endpointOverride(URI.create(settings.endpoint()));
    }
    this.s3 = client.build();
    this.presigner = presign.build();
  }

  /** The object key of a report key ({@code reports/<jobId>/...}) under the configured prefix. */
  public String objectKey(String key) {
    return settings.prefix() + key;
  }

  @Override
  public Stored store(Path localFile, String key) throws IOException {
    String objectKey = objectKey(key);
    try {
      s3.putObject(
          PutObjectRequest.builder().bucket(settings.bucket()).key(objectKey)
              .contentType(ReportOutput.contentType(key))
              .contentDisposition("attachment; filename=\"" + key.substring(key.lastIndexOf('/') + 1) + "\"")
              .build(),
          RequestBody.fromFile(localFile));
    } catch (S3Exception e) {
      throw new IOException("cannot upload the report to s3://" + settings.bucket() + "/" + objectKey + ": "
          + e.awsErrorDetails().errorMessage() + " (HTTP " + e.statusCode() + ")", e);
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      throw new IOException("cannot reach S3 for s3://" + settings.bucket() + "/" + objectKey + ": " + e.getMessage(), e);
    }
    return new Stored(objectKey, presign(objectKey));
  }

  @Override
  public java.util.Optional<byte[]> read(String storedKey, long maxBytes) throws IOException {
    try {
      long size = s3.headObject(HeadObjectRequest.builder().bucket(settings.bucket()).key(storedKey).build())
          .contentLength();
      if (size > maxBytes) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(s3.getObjectAsBytes(GetObjectRequest.builder().bucket(settings.bucket())
          .key(storedKey).build()).asByteArray());
    } catch (S3Exception e) {
      throw new IOException("cannot read s3://" + settings.bucket() + "/" + storedKey + ": "
          + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorMessage()) + " (HTTP " + e.statusCode() + ")",
          e);
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      throw new IOException("cannot reach S3 to read s3://" + settings.bucket() + "/" + storedKey + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String storedKey) throws IOException {
    try {
      s3.deleteObject(software.amazon.awssdk.services.s3.model.DeleteObjectRequest.builder().bucket(settings.bucket())
          .key(storedKey).build());
      return true;
    } catch (S3Exception e) {
      throw new IOException("cannot delete s3://" + settings.bucket() + "/" + storedKey + ": "
          + e.awsErrorDetails().errorMessage() + " (HTTP " + e.statusCode() + ")", e);
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      throw new IOException("cannot reach S3 to delete s3://" + settings.bucket() + "/" + storedKey + ": "
          + e.getMessage(), e);
    }
  }

  /** A fresh presigned GET URL for an object key. */
  public String presign(String objectKey) {
    return presigner.presignGetObject(GetObjectPresignRequest.builder().signatureDuration(settings.ttl())
            .getObjectRequest(GetObjectRequest.builder().bucket(settings.bucket()).key(objectKey).build()).build())
        .url().toString();
  }

  @Override
  public java.util.Optional<String> link(String objectKey) {
    return exists(objectKey) ? java.util.Optional.of(presign(objectKey)) : java.util.Optional.empty();
  }

  /** False when the object is gone (deleted by a lifecycle rule, say): its job is then EXPIRED. */
  public boolean exists(String objectKey) {
    try {
      s3.headObject(HeadObjectRequest.builder().bucket(settings.bucket()).key(objectKey).build());
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  public Duration ttl() {
    return settings.ttl();
  }

  @Override
  public void close() {
    s3.close();
    presigner.close();
  }
}
