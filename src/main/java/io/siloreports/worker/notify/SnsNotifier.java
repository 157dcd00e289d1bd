package io.siloreports.worker.notify;

import java.net.URI;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.SnsClientBuilder;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/**
 * A message to an SNS topic ({@code arn:aws:sns:<region>:<account>:<topic>}) with the AWS SDK, whose standard retries
 * cover throttling. The region comes from the setting, else from the topic's ARN; the endpoint can be overridden (a
 * VPC endpoint, a test).
 */
public final class SnsNotifier implements Notifier, AutoCloseable {
  private final String region;
  private final String endpoint;
  private SnsClient client;

  public SnsNotifier(String region, String endpoint) {
    this.region = region;
    this.endpoint = endpoint;
  }

  @Override
  public boolean handles(String target) {
    return target.startsWith("arn:aws:sns:");
  }

  @Override
  public synchronized void send(String target, Notification notification) {
    String subject = notification.subject();
    client(target).publish(PublishRequest.builder().topicArn(target)
        .subject(subject.length() > 100 ? subject.substring(0, 100) : subject).message(notification.body()).build());
  }

  private SnsClient client(String topicArn) {
    if (client == null) {
      String[] arn = topicArn.split(":");
      SnsClientBuilder b = SnsClient.builder().region(Region.of(region != null ? region : arn.length > 3 ? arn[3]
          : "us-east-1"));
      if (endpoint != null) {
        b.endpointOverride(URI.create(endpoint));
      }
      client = b.build();
    }
    return client;
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
  }
}
