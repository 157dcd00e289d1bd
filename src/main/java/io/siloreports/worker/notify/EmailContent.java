package io.siloreports.worker.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.jobstore.JobStatus;
import io.siloreports.jobstore.ReportJob;
import io.siloreports.model.Markup;
import java.util.List;

/**
 * What an email about a finished job says, as plain text and as HTML (the same facts in both): the outcome, the link
 * to the report, and for a COMPLETED job the per-silo summary table and the anomalies it counted, read from the
 * statistics JSON the job stored (the API's {@code summary}). Pure: no I/O.
 */
public record EmailContent(String subject, String text, String html) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The summary table's columns: the statistics JSON's field and the heading people read. */
  private static final List<String[]> COLUMNS = List.of(
      new String[] {"silo", "Silo"}, new String[] {"readings", "Readings"},
      new String[] {"hoursWithData", "Hours with data"}, new String[] {"hoursWithoutData", "Hours without data"},
      new String[] {"average", "Average"}, new String[] {"min", "Min"}, new String[] {"max", "Max"},
      new String[] {"anomalies", "Anomalies"});

  /** How many of the summary's listed anomalies an email shows (the report has them all). */
  static final int ANOMALIES_SHOWN = 20;

  /**
   * @param summaryJson the job's statistics; null when it has none (a FAILED job, a CSV report)
   * @param link where the report is downloaded; null when there is none
   * @param note a line about the report's file (attached, too large to attach, how to fetch it); null for none
   */
  public static EmailContent of(ReportJob job, String summaryJson, String link, String note) {
    String subject = "silo-reports: report " + job.jobId() + " " + job.status();
    StringBuilder text = new StringBuilder();
    StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    String headline = job.status() == JobStatus.COMPLETED ? "The report " + job.jobId() + " is ready."
        : "The report " + job.jobId() + " ended " + job.status() + ".";
    text.append(headline).append("\n");
    html.append("<p>").append(esc(headline)).append("</p>");
    if (job.scheduleName() != null) {
      text.append("Schedule: ").append(job.scheduleName()).append(" (").append(job.scheduledFor()).append(")\n");
      html.append("<p>Schedule: ").append(esc(job.scheduleName())).append(" (")
          .append(esc(String.valueOf(job.scheduledFor()))).append(")</p>");
    }
    if (link != null) {
      text.append("Download: ").append(link).append("\n");
      html.append("<p><a href=\"").append(esc(link)).append("\">Download the report</a></p>");
    }
    if (note != null) {
      text.append(note).append("\n");
      html.append("<p>").append(esc(note)).append("</p>");
    }
    if (job.errorMessage() != null) {
      text.append("Error: ").append(job.errorMessage()).append("\n");
      html.append("<p>Error: ").append(esc(job.errorMessage())).append("</p>");
    }
    JsonNode summary = parse(summaryJson);
    if (summary != null && summary.path("silos").isArray()) {
      table(summary, text, html);
    }
    html.append("</body></html>");
    return new EmailContent(subject, text.toString(), html.toString());
  }

  private static void table(JsonNode summary, StringBuilder text, StringBuilder html) {
    text.append("\nSummary per silo\n");
    html.append("<h3>Summary per silo</h3><table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">"
        + "<tr>");
    text.append(String.join(" | ", COLUMNS.stream().map(c -> c[1]).toList())).append("\n");
    COLUMNS.forEach(c -> html.append("<th>").append(esc(c[1])).append("</th>"));
    html.append("</tr>");
    for (JsonNode silo : summary.get("silos")) {
      row(silo, null, text, html);
    }
    JsonNode all = summary.path("allSilos");
    if (all.isObject()) {
      row(all, "All silos", text, html);
    }
    html.append("</table>");
    text.append("\nAnomalies\n");
    html.append("<h3>Anomalies</h3>");
    long total = all.path("anomalies").asLong(0);
    String line = total == 0 ? "No anomalies." : total + " anomalies in " + all.path("silosWithAnomalies").asInt()
        + " silo(s): the report lists each.";
    text.append(line).append("\n");
    html.append("<p>").append(esc(line)).append("</p><ul>");
    for (JsonNode silo : summary.get("silos")) {
      if (silo.path("anomalies").asLong(0) > 0) {
        String s = "Silo " + silo.path("silo").asText() + ": " + silo.path("anomalies").asLong() + " anomalies";
        text.append("- ").append(s).append("\n");
        html.append("<li>").append(esc(s)).append("</li>");
      }
    }
    html.append("</ul>");
    JsonNode listed = summary.path("anomalyList");
    if (listed.isArray() && !listed.isEmpty()) {
      int shown = Math.min(ANOMALIES_SHOWN, listed.size());
      String heading = total > shown ? "The first " + shown + " of " + total + " anomalies" : "Each anomaly";
      text.append("\n").append(heading).append("\n");
      html.append("<h4>").append(esc(heading)).append("</h4><table border=\"1\" cellpadding=\"4\""
          + " style=\"border-collapse:collapse\"><tr><th>Silo</th><th>Hour (UTC)</th><th>Kind</th><th>Average</th>"
          + "<th>Why</th></tr>");
      for (int i = 0; i < shown; i++) {
        JsonNode a = listed.get(i);
        List<String> cells = List.of(a.path("silo").asText(), a.path("hour").asText(), a.path("kind").asText(),
            cell(a.get("average")), a.path("reason").asText());
        text.append("- ").append(String.join(" | ", cells)).append("\n");
        html.append("<tr>");
        cells.forEach(c -> html.append("<td>").append(esc(c)).append("</td>"));
        html.append("</tr>");
      }
      html.append("</table>");
    }
  }

  private static void row(JsonNode row, String firstCell, StringBuilder text, StringBuilder html) {
    html.append("<tr>");
    StringBuilder line = new StringBuilder();
    for (String[] c : COLUMNS) {
      String v = firstCell != null && c[0].equals("silo") ? firstCell : cell(row.get(c[0]));
      line.append(line.length() == 0 ? "" : " | ").append(v);
      html.append("<td>").append(esc(v)).append("</td>");
    }
    text.append(line).append("\n");
    html.append("</tr>");
  }

  /** A figure as the JSON holds it (the sheets' rounding); a dash when there is none. */
  private static String cell(JsonNode v) {
    return v == null || v.isNull() ? "-" : v.asText();
  }

  private static JsonNode parse(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      return null; // a summary stored wrong: the email still says the job ended and links the report
    }
  }

  private static String esc(String s) {
    return Markup.escape(s);
  }
}
