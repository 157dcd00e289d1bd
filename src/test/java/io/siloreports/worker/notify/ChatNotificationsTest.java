package io.siloreports.worker.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.jobstore.JobEvent;
import io.siloreports.jobstore.ReportJobStore;
import io.siloreports.reportjob.ReadLinks;
import io.siloreports.testing.JobStores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slack and Microsoft Teams targets against receivers that check what those services document and refuse what they
 * refuse. Slack: "Sending messages using incoming webhooks" (https://api.slack.com/messaging/webhooks, now
 * docs.slack.dev/messaging/sending-messages-using-incoming-webhooks: a JSON body with {@code text}, which is the
 * notification fallback when {@code blocks} are given), its errors (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks:
 * HTTP 400 {@code invalid_payload} when the body does not match its content type or structure; {@code no_text}), and
 * Block Kit's limits (https://api.slack.com/reference/block-kit/blocks: at most 50 blocks a message; header:
 * plain_text up to 150 characters; section: text up to 3000, at most 10 fields of up to 2000; actions: button text up to
 * 75, url up to 3000). Teams: "Create and send messages" (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using:
 * Workflows take Adaptive Cards only, as {@code {"type": "message", "attachments": [{"contentType":
 * "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": <card>}]}}, a message at most 28 KB) and the
 * Adaptive Card schema (https://adaptivecards.io/explorer/, version 1.4: {@code type AdaptiveCard}, {@code version},
 * {@code body} of TextBlock with {@code text} and FactSet with {@code facts} of title/value, {@code Action.OpenUrl} with
 * {@code url}).
 */
class ChatNotificationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private HttpServer receiver;
  private ReportJobStore jobs;
  private final List<JsonNode> slack = new CopyOnWriteArrayList<>();
  private final List<JsonNode> teams = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/services/T0/B0/secret", x -> answer(x, slackRefusal(x), slack));
    receiver.createContext("/workflows/secret", x -> answer(x, teamsRefusal(x), teams));
    receiver.start();
    jobs = JobStores.sqlite(dir, Clock.systemUTC(), "test");
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private static void answer(HttpExchange x, String refusal, List<JsonNode> accepted) throws IOException {
    byte[] b = (refusal == null ? "ok" : refusal.substring(4)).getBytes(StandardCharsets.UTF_8);
    if (refusal == null) {
      accepted.add(JSON.readTree((byte[]) x.getAttribute("body")));
    }
    x.sendResponseHeaders(refusal == null ? 200 : Integer.parseInt(refusal.substring(0, 3)), b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  /** What Slack's incoming webhook refuses, as {@code "<status> <error>"}; null: accepted. */
  static String slackRefusal(HttpExchange x) throws IOException {
    byte[] raw = x.getRequestBody().readAllBytes();
    x.setAttribute("body", raw);
    String type = x.getRequestHeaders().getFirst("Content-Type");
    if (!"POST".equals(x.getRequestMethod()) || type == null || !type.startsWith("application/json")) {
      return "400 invalid_payload";
    }
    JsonNode m;
    try {
      m = JSON.readTree(raw);
    } catch (IOException e) {
      return "400 invalid_payload";
    }
    if (m == null || !m.isObject() || !m.hasNonNull("text") || m.get("text").asText().isBlank()) {
      return "400 no_text";
    }
    JsonNode blocks = m.path("blocks");
    if (!blocks.isMissingNode() && (!blocks.isArray() || blocks.size() > 50)) {
      return "400 invalid_blocks";
    }
    for (JsonNode b : blocks) {
      boolean ok = switch (b.path("type").asText()) {
        case "header" -> b.path("text").path("type").asText().equals("plain_text")
            && length(b.path("text").path("text")) >= 1 && length(b.path("text").path("text")) <= 150;
        case "section" -> (b.has("text") || b.has("fields"))
            && (!b.has("text") || (length(b.path("text").path("text")) <= 3000
                && List.of("plain_text", "mrkdwn").contains(b.path("text").path("type").asText())))
            && (!b.has("fields") || (b.get("fields").size() <= 10 && allFields(b.get("fields"))));
        case "actions" -> b.path("elements").size() >= 1 && b.path("elements").size() <= 25 && buttons(b);
        default -> false;
      };
      if (!ok) {
        return "400 invalid_blocks";
      }
    }
    return null;
  }

  private static boolean allFields(JsonNode fields) {
    for (JsonNode f : fields) {
      if (length(f.path("text")) > 2000 || !f.has("type")) {
        return false;
      }
    }
    return true;
  }

  private static boolean buttons(JsonNode actions) {
    for (JsonNode e : actions.path("elements")) {
      if (!e.path("type").asText().equals("button") || !e.path("text").path("type").asText().equals("plain_text")
          || length(e.path("text").path("text")) > 75 || length(e.path("url")) > 3000) {
        return false;
      }
    }
    return true;
  }

  private static int length(JsonNode text) {
    return text.isTextual() ? text.asText().length() : text.isMissingNode() ? 0 : Integer.MAX_VALUE;
  }

  /** What a Teams incoming webhook or Workflows trigger refuses; null: accepted. */
  static String teamsRefusal(HttpExchange x) throws IOException {
    byte[] raw = x.getRequestBody().readAllBytes();
    x.setAttribute("body", raw);
    String type = x.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.startsWith("application/json")) {
      return "415 unsupported media type";
    }
    if (raw.length > 28 * 1024) {
      return "413 message larger than 28 KB";
    }
    JsonNode m;
    try {
      m = JSON.readTree(raw);
    } catch (IOException e) {
      return "400 not JSON";
    }
    JsonNode a = m.path("attachments");
    if (!m.path("type").asText().equals("message") || !a.isArray() || a.size() != 1
        || !a.get(0).path("contentType").asText().equals("application/vnd.microsoft.card.adaptive")) {
      return "400 not a message with an Adaptive Card attachment";
    }
    JsonNode card = a.get(0).path("content");
    if (!card.path("type").asText().equals("AdaptiveCard") || !card.path("version").asText().matches("1\\.[0-9]+")
        || !card.path("body").isArray()) {
      return "400 not an Adaptive Card";
    }
    for (JsonNode e : card.path("body")) {
      boolean ok = switch (e.path("type").asText()) {
        case "TextBlock" -> e.path("text").isTextual();
        case "FactSet" -> e.path("facts").isArray() && allFacts(e.path("facts"));
        default -> false;
      };
      if (!ok) {
        return "400 unknown or incomplete element";
      }
    }
    for (JsonNode act : card.path("actions")) {
      if (!act.path("type").asText().equals("Action.OpenUrl") || !act.path("url").isTextual()) {
        return "400 bad action";
      }
    }
    return null;
  }

  private static boolean allFacts(JsonNode facts) {
    for (JsonNode f : facts) {
      if (!f.path("title").isTextual() || !f.path("value").isTextual()) {
        return false;
      }
    }
    return true;
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  /** A summary of {@code silos} silos as the report stores it; silo i has i % 4 anomalies. */
  private static String summary(int silos) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode all = root.putObject("allSilos");
    all.put("silos", silos).put("silosWithData", silos).put("readings", silos * 240L).put("hoursWithData", silos * 24)
        .put("hoursWithoutData", 0).put("average", 51.25).put("min", 3.5).put("minSilo", 7).put("max", 99.0)
        .put("maxSilo", 12).put("lateReadings", 0).put("revisedHours", 0).put("staleSilos", 0);
    int anomalies = 0;
    ArrayNode list = root.putArray("silos");
    for (int i = 1; i <= silos; i++) {
      list.addObject().put("silo", i).put("readings", 240).put("average", 50.0 + i % 10).put("min", 3.5)
          .put("max", 99.0).put("stale", false).put("anomalies", i % 4);
      anomalies += i % 4;
    }
    all.put("anomalies", anomalies).put("silosWithAnomalies", silos - silos / 4);
    return root.toString();
  }

  private void completed(String id, int silos) {
    jobs.create(id, "silo_hourly", "{}");
    jobs.markProcessing(id);
    jobs.markCompleted(id, "reports/" + id + "/silo_data_report.xlsx", "https://s3.example/" + id
        + "?X-Amz-Signature=old", summary(silos));
  }

  private Notifications notifications(List<String> targets) {
    return new Notifications(jobs, List.of(new ChatNotifier(1, Duration.ofMillis(10), Duration.ofSeconds(5))),
        targets, Duration.ofDays(1)).links(new ReadLinks("https://reports.example", "k".getBytes(
            StandardCharsets.UTF_8), Duration.ofDays(7), Clock.systemUTC()));
  }

  @Test
  void aReportOf500SilosFitsSlacksAndTeamsLimitsAndSaysHowManyMore() throws Exception {
    completed("big", 500);
    Notifications n = notifications(List.of("slack:" + url("/services/T0/B0/secret"), "teams:"
        + url("/workflows/secret")));
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(10)));
    assertEquals(List.of(), jobs.events("big").stream().map(JobEvent::detail)
        .filter(d -> d != null && d.contains("failed")).toList(), "both accepted");
    assertEquals(1, slack.size());
    assertEquals(1, teams.size());

    JsonNode s = slack.get(0);
    String link = s.path("blocks").get(s.path("blocks").size() - 1).path("elements").get(0).path("url").asText();
    assertTrue(link.startsWith("https://reports.example/r/big?expires="), link);
    assertTrue(s.path("text").asText().contains("500 silos, 120000 readings, average 51.25, 750 anomalies"),
        s.path("text").asText()); // 500 silos: i % 4 sums to 125 * (0+1+2+3) = 750
    assertEquals("Silo report big: completed", s.path("blocks").get(0).path("text").path("text").asText());
    String silos = s.path("blocks").get(2).path("text").path("text").asText();
    int shown = (int) silos.lines().filter(l -> l.startsWith("Silo ")).count();
    assertTrue(silos.endsWith("…and " + (500 - shown) + " more silos"), silos);
    assertTrue(shown > 10 && silos.length() <= 3000, shown + " lines, " + silos.length() + " characters");

    JsonNode card = teams.get(0).path("attachments").get(0).path("content");
    assertEquals("Action.OpenUrl", card.path("actions").get(0).path("type").asText());
    assertEquals(link.replaceAll("expires=.*", ""), card.path("actions").get(0).path("url").asText()
        .replaceAll("expires=.*", ""));
    String teamsSilos = card.path("body").get(2).path("text").asText();
    assertEquals(ChatMessages.TEAMS_SILO_LINES, teamsSilos.lines().filter(l -> l.startsWith("Silo ")).count());
    assertTrue(teamsSilos.endsWith("…and " + (500 - ChatMessages.TEAMS_SILO_LINES) + " more silos"), teamsSilos);
    assertTrue(!teams.get(0).toString().contains("X-Amz") && !s.toString().contains("X-Amz"),
        "the presigned URL stored at completion is in neither");
  }

  @Test
  void theReceiversRefuseWhatSlackAndTeamsRefuseAndTheFailureIsRecorded() throws Exception {
    JsonPost post = new JsonPost(1, Duration.ofMillis(10), Duration.ofSeconds(5));
    String slackUrl = url("/services/T0/B0/secret");
    assertRefused(post, slackUrl, "{\"blocks\": []}", "HTTP 400 no_text");
    assertRefused(post, slackUrl, "{\"text\": \"x\", \"blocks\": [{\"type\": \"header\", \"text\": {\"type\":"
        + " \"plain_text\", \"text\": \"" + "h".repeat(151) + "\"}}]}", "HTTP 400 invalid_blocks");
    assertRefused(post, slackUrl, "{\"text\": \"x\", \"blocks\": [{\"type\": \"section\", \"text\": {\"type\":"
        + " \"mrkdwn\", \"text\": \"" + "s".repeat(3001) + "\"}}]}", "HTTP 400 invalid_blocks");
    assertRefused(post, slackUrl, "not json", "HTTP 400 invalid_payload");
    String teamsUrl = url("/workflows/secret");
    assertRefused(post, teamsUrl, "{\"text\": \"a connector card\"}", "HTTP 400 not a message with an Adaptive Card"
        + " attachment");
    assertRefused(post, teamsUrl, "{\"type\": \"message\", \"attachments\": [{\"contentType\":"
        + " \"application/vnd.microsoft.card.adaptive\", \"content\": {\"type\": \"AdaptiveCard\", \"version\": \"1.4\","
        + " \"body\": [{\"type\": \"TextBlock\", \"text\": \"" + "t".repeat(30_000) + "\"}]}}]}",
        "HTTP 413 message larger than 28 KB");

    // A FAILED job: the reason, no figures, no link; and a webhook that refuses is an event of the job.
    jobs.create("broke", "silo_hourly", "{}");
    jobs.markProcessing("broke");
    jobs.markFailed("broke", "the report run ended (exit code 1)");
    Notifications n = notifications(List.of("slack:" + slackUrl, "slack:" + url("/services/T0/B0/gone")));
    n.run(Instant.now());
    assertTrue(n.awaitSent(Duration.ofSeconds(10)));
    JsonNode s = slack.get(0);
    assertEquals("Silo report broke: failed", s.path("text").asText());
    assertEquals("Failed: the report run ended (exit code 1)", s.path("blocks").get(1).path("text").path("text")
        .asText());
    List<String> details = jobs.events("broke").stream().map(JobEvent::detail).filter(d -> d != null).toList();
    assertTrue(details.contains("notified Slack http://127.0.0.1:" + receiver.getAddress().getPort() + "/... (FAILED)"),
        details.toString());
    assertTrue(details.stream().anyMatch(d -> d.startsWith("notification to Slack http://127.0.0.1:")
        && d.contains("/... failed: gave up after 1 attempt(s): HTTP 404")), details.toString());
  }

  private static void assertRefused(JsonPost post, String url, String body, String expected) {
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> post.send(url, body, java.util.Map::of));
    assertEquals("gave up after 1 attempt(s): " + expected, e.getMessage());
  }
}
