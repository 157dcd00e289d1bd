package io.siloreports.worker.notify;

import io.siloreports.jobstore.ReportJob;
import io.siloreports.reportjob.EmailRecipients;
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
import java.util.function.Function;

/**
 * An email about a finished job to a {@code mailto:} target: a multipart/alternative MIME message, plain text and
 * HTML (see {@link EmailContent}), built with Jakarta Mail (Eclipse Angus) and handed to a {@link Transport}: SMTP, or
 * Amazon SES ({@link SesEmailTransport}). Only addresses in {@code notify.email.allowed-domains} are sent to, whatever
 * a stored request or schedule says: never an open relay. The transport's errors (connection refused, authentication
 * failed, recipient rejected) are the reason recorded in the job's history.
 */
public final class EmailNotifier implements Notifier, AutoCloseable {

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
  private final Function<String, Optional<String>> summaries;
  private final Session session = Session.getInstance(new Properties());
  private final Transport transport;

  /**
   * @param from the sender address ({@code notify.email.from})
   * @param summaries a job id's statistics JSON ({@code ReportJobStore::summary})
   */
  public EmailNotifier(String from, EmailRecipients recipients, Function<String, Optional<String>> summaries,
      Transport transport) {
    if (from == null || from.isBlank()) {
      throw new IllegalArgumentException("email notifications need notify.email.from, the sender address");
    }
    this.from = from;
    this.recipients = recipients;
    this.summaries = summaries;
    this.transport = transport;
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
  public void send(String target, String subject, String body) {
    throw new UnsupportedOperationException("an email is about a job: send(job, target, ...)");
  }

  @Override
  public void send(ReportJob job, String target, String subject, String body, String summaryJson) throws Exception {
    String to = recipients.require(EmailRecipients.address(target));
    EmailContent content = EmailContent.of(job, summaries.apply(job.jobId()).orElse(null), link(job));
    transport.send(message(content, to), to);
  }

  /**
   * The link an email carries: the one the job holds now. The one place a link is made, so a link that is signed
   * when it is read can replace it.
   */
  static String link(ReportJob job) {
    return job.s3Url();
  }

  /** The message's bytes as sent (RFC 5322 with MIME). */
  static byte[] bytes(MimeMessage m) throws MessagingException, java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    m.writeTo(out);
    return out.toByteArray();
  }

  MimeMessage message(EmailContent content, String to) throws MessagingException {
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
    m.setContent(alternative);
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
