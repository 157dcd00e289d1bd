package io.siloreports.worker.notify;

import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.SesV2ClientBuilder;
import software.amazon.awssdk.services.sesv2.model.Destination;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.RawMessage;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

/**
 * Sends an email's MIME message through Amazon SES's v2 API ({@code SendEmail} with {@code Content.Raw}, the message
 * as the SMTP transport would send it) with the AWS SDK, whose standard retries cover throttling. Credentials come from
 * the SDK's default chain (the instance's role); the region from {@code notify.email.ses.region}, else the default
 * chain; the endpoint can be overridden (a VPC endpoint, a test).
 */
public final class SesEmailTransport implements EmailNotifier.Transport, AutoCloseable {
  private final SesV2Client client;

  public SesEmailTransport(String region, String endpoint) {
    SesV2ClientBuilder b = SesV2Client.builder();
    if (region != null) {
      b.region(Region.of(region));
    }
    if (endpoint != null) {
      b.endpointOverride(URI.create(endpoint));
    }
    this.client = b.build();
  }

  @Override
  public void send(MimeMessage message, String to) throws Exception {
    client.sendEmail(SendEmailRequest.builder()
        .fromEmailAddress(message.getFrom()[0].toString())
        .destination(Destination.builder().toAddresses(to).build())
        .content(EmailContent.builder().raw(RawMessage.builder()
            .data(SdkBytes.fromByteArray(EmailNotifier.bytes(message))).build()).build())
        .build());
  }

  @Override
  public void close() {
    client.close();
  }
}
