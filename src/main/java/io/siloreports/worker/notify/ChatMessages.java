package io.siloreports.worker.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages Slack and Teams show for a finished job, built from the notification body and the report's summary:
 * a title, the all-silos figures, one line per silo as far as the limits allow ("and N more silos"), the link as a
 * button. Pure: no I/O. Limits (Slack Block Kit): header plain_text 150 characters, section text 3000, at most 10
 * fields of 2000, button text 75, URL 3000, 50 blocks; Teams: 28 KB a message, so at most {@link #TEAMS_SILO_LINES}.
 */
final class ChatMessages {
  static final int SLACK_HEADER_MAX = 150;
  static final int SLACK_SECTION_MAX = 3000;
  static final int TEAMS_SILO_LINES = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatMessages() {}

  /** What both show: parsed once from the body and the summary. */
  record Notice(String title, String line, List<String[]> figures, List<String> silos, int silosInAll, String link,
      String note) {

    static Notice of(String body, String summaryJson) throws java.io.IOException {
      JsonNode b = JSON.readTree(body);
      JsonNode s = summaryJson == null ? null : JSON.readTree(summaryJson);
      String id = b.path("job_id").asText();
      String status = b.path("status").asText();
      String title = "Silo report " + id + ": " + status.toLowerCase(java.util.Locale.ROOT);
      List<String[]> figures = new ArrayList<>();
      List<String> silos = new ArrayList<>();
      String line = title;
      if (s != null) {
        JsonNode a = s.path("allSilos");
        figures.add(new String[] {"Silos", a.path("silosWithData").asText() + " of " + a.path("silos").asText()
            + " with data"});
        figures.add(new String[] {"Readings", a.path("readings").asText()});
        figures.add(new String[] {"Average", number(a.path("average"))});
        figures.add(new String[] {"Min", number(a.path("min")) + where(a, "minSilo")});
        figures.add(new String[] {"Max", number(a.path("max")) + where(a, "maxSilo")});
        figures.add(new String[] {"Anomalies", a.path("anomalies").asText() + " in "
            + a.path("silosWithAnomalies").asText() + " silo(s)"});
        figures.add(new String[] {"Hours without data", a.path("hoursWithoutData").asText()});
        figures.add(new String[] {"Stale silos", a.path("staleSilos").asText()});
        for (JsonNode o : s.path("silos")) {
          silos.add("Silo " + o.path("silo").asText() + ": avg " + number(o.path("average")) + ", min "
              + number(o.path("min")) + ", max " + number(o.path("max")) + ", " + o.path("anomalies").asText()
              + " anomalies" + (o.path("stale").asBoolean() ? ", stale" : ""));
        }
        line = title + ": " + a.path("silos").asText() + " silos, " + a.path("readings").asText()
            + " readings, average " + number(a.path("average")) + ", " + a.path("anomalies").asText() + " anomalies";
      }
      String link = b.hasNonNull("url") ? b.get("url").asText() : null;
      String note = b.hasNonNull("error") ? "Failed: " + b.get("error").asText()
          : b.hasNonNull("fetch") ? b.get("fetch").asText() : null;
      return new Notice(title, line, figures, silos, silos.size(), link, note);
    }

    private static String number(JsonNode n) {
      return n.isMissingNode() || n.isNull() ? "no data" : n.asText();
    }

    private static String where(JsonNode a, String field) {
      return a.hasNonNull(field) ? " (silo " + a.get(field).asText() + ")" : "";
    }
  }

  /** The silo lines that fit in {@code max} characters with the "and N more silos" line they may need. */
  static String siloLines(List<String> lines, int max, int maxLines) {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (String l : lines) {
      String more = "\n…and " + (lines.size() - shown - 1) + " more silos";
      if (shown == maxLines || out.length() + l.length() + 1 + more.length() > max) {
        break;
      }
      out.append(shown == 0 ? "" : "\n").append(l);
      shown++;
    }
    if (shown < lines.size()) {
      out.append(shown == 0 ? "" : "\n").append("…and ").append(lines.size() - shown).append(" more silos");
    }
    return out.toString();
  }

  /** A Slack incoming-webhook payload: {@code text} (the fallback in notifications) and {@code blocks}. */
  static String slack(Notice n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("text", clip(n.line() + (n.link() == null ? "" : " " + n.link()), SLACK_SECTION_MAX));
    ArrayNode blocks = root.putArray("blocks");
    ObjectNode header = blocks.addObject().put("type", "header");
    header.putObject("text").put("type", "plain_text").put("text", clip(n.title(), SLACK_HEADER_MAX));
    if (!n.figures().isEmpty()) {
      ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
      for (String[] f : n.figures().subList(0, Math.min(10, n.figures().size()))) {
        fields.addObject().put("type", "mrkdwn").put("text", clip("*" + f[0] + "*\n" + f[1], 2000));
      }
    }
    if (!n.silos().isEmpty()) {
      blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
          .put("text", siloLines(n.silos(), SLACK_SECTION_MAX, Integer.MAX_VALUE));
    }
    if (n.note() != null) {
      blocks.addObject().put("type", "section").putObject("text").put("type", "plain_text")
          .put("text", clip(n.note(), SLACK_SECTION_MAX));
    }
    if (n.link() != null && n.link().length() <= 3000) {
      ObjectNode button = blocks.addObject().put("type", "actions").putArray("elements").addObject();
      button.put("type", "button").put("url", n.link()).putObject("text").put("type", "plain_text")
          .put("text", "Download report");
    }
    return root.toString();
  }

  /** A Teams message with one Adaptive Card (1.4) attachment, as incoming webhooks and Workflows take it. */
  static String teams(Notice n) {
    ObjectNode card = JSON.createObjectNode();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    ArrayNode body = card.putArray("body");
    body.addObject().put("type", "TextBlock").put("text", n.title()).put("size", "Large").put("weight", "Bolder")
        .put("wrap", true);
    if (!n.figures().isEmpty()) {
      ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
      n.figures().forEach(f -> facts.addObject().put("title", f[0]).put("value", f[1]));
    }
    if (!n.silos().isEmpty()) {
      body.addObject().put("type", "TextBlock").put("wrap", true)
          .put("text", siloLines(n.silos(), 8000, TEAMS_SILO_LINES).replace("\n", "\n\n"));
    }
    if (n.note() != null) {
      body.addObject().put("type", "TextBlock").put("wrap", true).put("text", clip(n.note(), 3000));
    }
    if (n.link() != null) {
      card.putArray("actions").addObject().put("type", "Action.OpenUrl").put("title", "Download report")
          .put("url", n.link());
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("type", "message");
    ObjectNode attachment = root.putArray("attachments").addObject();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.putNull("contentUrl");
    attachment.set("content", card);
    return root.toString();
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
