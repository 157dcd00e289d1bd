package io.siloreports.worker.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.reportjob.EmailRecipients;
import io.siloreports.reportjob.ReportOutput;
import io.siloreports.reportjob.ReportRequest;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * An email about a finished job to a {@code mailto:} target: a multipart/alternative MIME message, plain text and
 * HTML (see {@link EmailContent}) carrying the notification's link (to the service, signed when read), and the
 * report's file as an attachment when the request asked for it, built with Jakarta Mail (Eclipse Angus) and handed to a {@link Transport}: SMTP, or
 * Amazon SES ({@link SesEmailTransport}). Only addresses in {@code notify.email.allowed-domains} are sent to, whatever
 * a stored request or schedule says: never an open relay. The transport's errors (connection refused, authentication
 * failed, recipient rejected) are the reason recorded in the job's history.
 */
public final class EmailNotifier implements Notifier, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmailNotifier.class);

  /** Where a finished message goes. */
  public interface Transport {
    void send(MimeMessage message, String to) throws Exception;
  }

  /**
   * @param starttls require STARTTLS (false only for a relay on the same host, or a test's server)
   * @param user null: no authentication
   */
  public record Smtp(String host, int port, boolean starttls, String user, String password, Duration timeout) {
    public Smtp {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("email notifications over SMTP need notify.email.smtp.host");
      }
    }

    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + (starttls ? " STARTTLS" : "") + (user == null ? "" : " as " + user) + "]";
    }
  }

  private final String from;
  private final EmailRecipients recipients;
  private final Session session = Session.getInstance(new Properties());
  private final Transport transport;
  private ReportOutput output;
  private long maxAttachmentBytes;

  /**
   * @param from the sender address ({@code notify.email.from})
   */
  public EmailNotifier(String from, EmailRecipients recipients, Transport transport) {
    if (from == null || from.isBlank()) {
      throw new IllegalArgumentException("email notifications need notify.email.from, the sender address");
    }
    this.from = from;
    this.recipients = recipients;
    this.transport = transport;
  }

  /**
   * Where the reports are, so an email whose request asks for it ({@code "notify": {"attach": true}}, a schedule's
   * {@code attach}) carries the report's file, up to {@code maxBytes} ({@code notify.email.max-attachment-bytes});
   * without this, emails carry the link only.
   */
  public EmailNotifier attachments(ReportOutput output, long maxBytes) {
    this.output = output;
    this.maxAttachmentBytes = maxBytes;
    return this;
  }

  /** Sends through an SMTP server with Angus. */
  public static Transport smtp(Smtp smtp) {
    Properties p = new Properties();
    p.put("mail.smtp.host", smtp.host());
    p.put("mail.smtp.port", Integer.toString(smtp.port()));
    p.put("mail.smtp.starttls.enable", Boolean.toString(smtp.starttls()));
    p.put("mail.smtp.starttls.required", Boolean.toString(smtp.starttls()));
    p.put("mail.smtp.auth", Boolean.toString(smtp.user() != null));
    String ms = Long.toString(smtp.timeout().toMillis());
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    Session session = Session.getInstance(p);
    return (message, to) -> {
      try (jakarta.mail.Transport t = session.getTransport("smtp")) {
        t.connect(smtp.user(), smtp.password());
        t.sendMessage(message, new InternetAddress[] {new InternetAddress(to)});
      }
    };
  }

  @Override
  public boolean handles(String target) {
    return EmailRecipients.isEmail(target);
  }

  @Override
  public void send(String target, Notification notification) throws Exception {
    String to = recipients.require(EmailRecipients.address(target));
    ReportJob job = notification.job();
    JsonNode sent = JSON.readTree(notification.body());
    String link = sent.hasNonNull("url") ? sent.get("url").asText() : null;
    String note = sent.hasNonNull("fetch") ? sent.get("fetch").asText() : null;
    Attachment file = attachment(job);
    if (file != null) {
      note = file.note();
    }
    EmailContent content = EmailContent.of(job, notification.summaryJson(), link, note);
    transport.send(message(content, file, to), to);
  }

  /** The report's file to attach and the line saying so; or only a line (too large); null when none was asked. */
  private record Attachment(String name, byte[] bytes, String note) {}

  private Attachment attachment(ReportJob job) {
    if (job.status() != JobStatus.COMPLETED || job.s3Key() == null || !requestedAttachment(job)) {
      return null;
    }
    String name = job.s3Key().substring(job.s3Key().lastIndexOf('/') + 1);
    if (output == null) {
      return new Attachment(null, null, "The report is not attached: this worker does not read the reports' store.");
    }
    Optional<byte[]> bytes;
    try {
      bytes = output.read(job.s3Key(), maxAttachmentBytes);
    } catch (java.io.IOException | RuntimeException e) {
      // The email still goes, with the link: a report that cannot be read now may be readable when clicked.
      LOG.warn("report {}: its file is not attached, it could not be read: {}", job.jobId(), e.getMessage());
      return new Attachment(null, null, "The report could not be attached (it could not be read just now):"
          + " download it with the link.");
    }
    if (bytes.isEmpty()) {
      return new Attachment(null, null, "The report is larger than the " + mib(maxAttachmentBytes)
          + " an email may carry here (notify.email.max-attachment-bytes): download it with the link.");
    }
    return new Attachment(name, bytes.get(), "The report is attached: " + name + " (" + mib(bytes.get().length)
        + ").");
  }

  private static boolean requestedAttachment(ReportJob job) {
    try {
      return ReportRequest.fromJson(job.params()).attachReport();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String mib(long bytes) {
    return bytes < 1024 * 1024 ? Math.max(1, bytes / 1024) + " KB"
        : String.format(java.util.Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
  }

  /** The message's bytes as sent (RFC 5322 with MIME). */
  static byte[] bytes(MimeMessage m) throws MessagingException, java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    m.writeTo(out);
    return out.toByteArray();
  }

  MimeMessage message(EmailContent content, Attachment file, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    m.setSubject(content.subject(), StandardCharsets.UTF_8.name());
    MimeMultipart alternative = new MimeMultipart("alternative");
    MimeBodyPart text = new MimeBodyPart();
    text.setText(content.text(), StandardCharsets.UTF_8.name(), "plain");
    MimeBodyPart html = new MimeBodyPart();
    html.setText(content.html(), StandardCharsets.UTF_8.name(), "html");
    alternative.addBodyPart(text); // the least preferred first (RFC 2046 5.1.4)
    alternative.addBodyPart(html);
    if (file == null || file.bytes() == null) {
      m.setContent(alternative);
    } else {
      // multipart/mixed: the message (text or HTML) first, then the report as an attachment (RFC 2046 5.1.3).
      MimeMultipart mixed = new MimeMultipart("mixed");
      MimeBodyPart body = new MimeBodyPart();
      body.setContent(alternative);
      mixed.addBodyPart(body);
      MimeBodyPart report = new MimeBodyPart();
      report.setDataHandler(new jakarta.activation.DataHandler(
          new jakarta.mail.util.ByteArrayDataSource(file.bytes(), ReportOutput.contentType(file.name()))));
      report.setFileName(file.name());
      report.setDisposition(MimeBodyPart.ATTACHMENT);
      mixed.addBodyPart(report);
      m.setContent(mixed);
    }
    m.saveChanges();
    return m;
  }

  @Override
  public void close() throws Exception {
    if (transport instanceof AutoCloseable c) {
      c.close();
    }
  }
}
