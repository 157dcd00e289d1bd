package io.siloreports.testing.servers;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * A real S3 endpoint in this JVM: S3Proxy (Jetty) over jclouds' in-memory {@code transient} blob store, on
 * 127.0.0.1, plain HTTP, path-style addressing, AWS signature V2/V4 checked against {@link #accessKey()} /
 * {@link #secretKey()}. A bucket ({@link #bucket()}) exists from the start. Objects live in memory and are gone
 * on close. (The {@code filesystem} blob store hangs or answers 500 to S3A, hence {@code transient}.)
 *
 * <p>Clients: {@link #s3Client()} and {@link #presigner()} (AWS SDK v2), and {@link #s3aProperties()} for Spark's
 * {@code s3a://} file system (hadoop-aws 3.3.4). Hadoop caches one S3A file system per bucket URI for the JVM,
 * so a JVM should use one server per bucket name (see {@link SharedTestServers#s3()}).
 */
public final class EmbeddedS3 extends EmbeddedServer<EmbeddedS3> {
  public static final String DEFAULT_BUCKET = "silo-reports";
  public static final String ACCESS_KEY = "silo-reports-access";
  public static final String SECRET_KEY = "silo-reports-secret";
  /** S3Proxy ignores regions; clients must still sign for one. */
  public static final Region REGION = Region.US_EAST_1;

  private final int requestedPort;
  private final String bucket;
  private BlobStoreContext blobStoreContext;
  private S3Proxy proxy;
  private int port;

  /** A server on a free port with the bucket {@value #DEFAULT_BUCKET}. */
  public EmbeddedS3() {
    this(0, DEFAULT_BUCKET);
  }

  /** @param port a fixed port, or 0 for a free one */
  public EmbeddedS3(int port, String bucket) {
    super("s3");
    this.requestedPort = port;
    this.bucket = bucket;
  }

  @Override
  protected void startIn(Path workDir) throws Exception {
    if (requestedPort != 0) {
      requirePortFree(requestedPort, "S3Proxy");
    }
    blobStoreContext =
        ContextBuilder.newBuilder("transient")
            .credentials(ACCESS_KEY, SECRET_KEY)
            .build(BlobStoreContext.class);
    proxy = proxyOn(requestedPort);
    proxy.start(); // Jetty's start returns once the connector listens
    port = proxy.getPort();
    blobStoreContext.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Stops answering (connections refused), keeping the objects: an outage; {@link #resume} ends it on the same port. */
  public void pause() throws Exception {
    requireRunning();
    proxy.stop();
  }

  /** Answers again on the same port, with the objects kept, after {@link #pause}. */
  public void resume() throws Exception {
    proxy = proxyOn(port);
    proxy.start();
  }

  /** A proxy over this server's blob store (its objects) on {@code port} (0: any free one). */
  private S3Proxy proxyOn(int port) {
    return S3Proxy.builder()
        .blobStore(blobStoreContext.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
  }

  @Override
  protected void stop() throws Exception {
    try {
      if (proxy != null) {
        proxy.stop();
      }
    } finally {
      if (blobStoreContext != null) {
        blobStoreContext.close();
      }
    }
  }

  @Override
  protected String description() {
    return "S3Proxy (transient blob store, bucket " + bucket + ")";
  }

  @Override
  public int port() {
    return port;
  }

  public String bucket() {
    return bucket;
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  /** http://127.0.0.1:port */
  public URI endpoint() {
    requireRunning();
    return URI.create("http://127.0.0.1:" + port);
  }

  /** {@code s3a://bucket/path} */
  public String s3aUri(String path) {
    return "s3a://" + bucket + "/" + (path.startsWith("/") ? path.substring(1) : path);
  }

  /**
   * An AWS SDK v2 client for this server (path-style, static credentials); close it when done.
   *
   * <p>Checksums only "when required": since SDK 2.30 uploads send a CRC trailer ({@code x-amz-trailer}) by
   * default, which S3Proxy 2.7 answers with 501 Not Implemented. Any client of this server (the report job's
   * too, when pointed at the dev stack) needs the same two settings; real S3 does not.
   */
  public S3Client s3Client() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(REGION)
        .credentialsProvider(credentials())
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  /** An AWS SDK v2 presigner whose URLs point at this server (path-style); close it when done. */
  public S3Presigner presigner() {
    return S3Presigner.builder()
        .endpointOverride(endpoint())
        .region(REGION)
        .credentialsProvider(credentials())
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
  }

  private StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
  }

  /**
   * Hadoop settings that point {@code s3a://} at this server. Set them on a running session with
   * {@link #applyTo(Configuration)} ({@code spark.sparkContext().hadoopConfiguration()}), or prefix them with
   * {@code spark.hadoop.} for spark-submit / SparkSession.builder().
   */
  public Map<String, String> s3aProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
    p.put("fs.s3a.endpoint", endpoint().toString());
    p.put("fs.s3a.endpoint.region", REGION.id());
    p.put("fs.s3a.path.style.access", "true");
    p.put("fs.s3a.connection.ssl.enabled", "false");
    p.put("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    p.put("fs.s3a.access.key", ACCESS_KEY);
    p.put("fs.s3a.secret.key", SECRET_KEY);
    // A local server either answers at once or is broken: fail in seconds instead of S3A's minutes of retries.
    p.put("fs.s3a.attempts.maximum", "2");
    p.put("fs.s3a.retry.limit", "2");
    p.put("fs.s3a.connection.establish.timeout", "5000");
    return p;
  }

  /** {@link #s3aProperties()} with the {@code spark.hadoop.} prefix. */
  public Map<String, String> sparkHadoopProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    s3aProperties().forEach((k, v) -> p.put("spark.hadoop." + k, v));
    return p;
  }

  /** Sets {@link #s3aProperties()} on a Hadoop configuration, e.g. a running session's. */
  public void applyTo(Configuration hadoopConfiguration) {
    s3aProperties().forEach(hadoopConfiguration::set);
  }
}
