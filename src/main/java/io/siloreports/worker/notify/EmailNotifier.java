package io.siloreports.worker.notify;

import io.siloreports.jobstore.ReportJob;
import io.siloreports.reportjob.EmailRecipients;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
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
 * An email about a finished job to a {@code mailto:} target, over SMTP with Jakarta Mail (Eclipse Angus): a
 * multipart/alternative message, plain text and HTML (see {@link EmailContent}). Only addresses in
 * {@code notify.email.allowed-domains} are sent to, whatever a stored request or schedule says: never an open relay.
 * Angus's own errors (connection refused, authentication failed, recipient rejected) are the reason recorded in the
 * job's history.
 */
public final class EmailNotifier implements Notifier {

  /**
   * @param starttls require STARTTLS (false only for a relay on the same host, or a test's server)
   * @param user null: no authentication
   */
  public record Smtp(String host, int port, boolean starttls, String user, String password, String from,
      Duration timeout) {
    public Smtp {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("email notifications need notify.email.smtp.host");
      }
      if (from == null || from.isBlank()) {
        throw new IllegalArgumentException("email notifications need notify.email.from, the sender address");
      }
    }

    @Override
    public String toString() {
      return "Smtp[" + host + ":" + port + (starttls ? " STARTTLS" : "") + (user == null ? "" : " as " + user) + "]";
    }
  }

  private final Smtp smtp;
  private final EmailRecipients recipients;
  private final Function<String, Optional<String>> summaries;
  private final Session session;

  /** @param summaries a job id's statistics JSON ({@code ReportJobStore::summary}) */
  public EmailNotifier(Smtp smtp, EmailRecipients recipients, Function<String, Optional<String>> summaries) {
    this.smtp = smtp;
    this.recipients = recipients;
    this.summaries = summaries;
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
    this.session = Session.getInstance(p);
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
  public void send(ReportJob job, String target, String subject, String body) throws MessagingException {
    String to = recipients.require(EmailRecipients.address(target));
    EmailContent content = EmailContent.of(job, summaries.apply(job.jobId()).orElse(null), link(job));
    Transport.send(message(content, to), smtp.user(), smtp.password());
  }

  /**
   * The link an email carries: the one the job holds now. The one place a link is made, so a link that is signed
   * when it is read can replace it.
   */
  static String link(ReportJob job) {
    return job.s3Url();
  }

  MimeMessage message(EmailContent content, String to) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(smtp.from()));
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
}
