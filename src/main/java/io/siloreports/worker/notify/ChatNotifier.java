package io.siloreports.worker.notify;

import java.time.Duration;
import java.util.Map;

/**
 * Slack and Microsoft Teams incoming webhooks ({@code slack:<URL>}, {@code teams:<URL>} in {@code notify.targets}):
 * the message each shows ({@link ChatMessages}), posted with the webhooks' retries. Their URLs are the secret (no
 * signature header: neither service checks one).
 */
public final class ChatNotifier implements Notifier {
  private final JsonPost post;

  public ChatNotifier(int attempts, Duration backoff, Duration timeout) {
    this.post = new JsonPost(attempts, backoff, timeout);
  }

  @Override
  public boolean handles(String target) {
    return kind(target) != null;
  }

  @Override
  public void send(String target, Notification notification) throws Exception {
    ChatTarget kind = kind(target);
    ChatMessages.Notice notice = ChatMessages.Notice.of(notification.body(), notification.summaryJson());
    String message = kind == ChatTarget.SLACK ? ChatMessages.slack(notice) : ChatMessages.teams(notice);
    post.send(target.substring(kind.prefix.length()), message, Map::of);
  }

  private static ChatTarget kind(String target) {
    for (ChatTarget k : ChatTarget.values()) {
      if (target.startsWith(k.prefix + "https://") || target.startsWith(k.prefix + "http://")) {
        return k;
      }
    }
    return null;
  }
}
