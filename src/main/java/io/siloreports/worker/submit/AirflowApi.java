package io.siloreports.worker.submit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One call of Airflow's REST API, whatever carries it: HTTP to Airflow itself ({@link AirflowHttpApi}: Airflow 2's
 * {@code /api/v1} with basic authentication, Airflow 3's {@code /api/v2} with a JWT) or Amazon MWAA's
 * {@code InvokeRestApi} ({@link MwaaRestApi}). Paths are relative to the API's root ({@code /dags/<dag>}), as both
 * of Airflow's API documents and InvokeRestApi write them.
 */
interface AirflowApi {

  /** Airflow's answer: its HTTP status and its JSON body (a missing node when it had none). */
  record Reply(int status, JsonNode body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }

    /** Airflow's own words: v1's problem {@code detail}/{@code title}, v2's {@code detail} text or field errors. */
    String detail() {
      JsonNode d = body == null ? null : body.path("detail");
      if (d == null || d.isMissingNode() || d.isNull()) {
        return body == null ? "" : body.path("title").asText("");
      }
      if (d.isTextual()) {
        return d.asText();
      }
      if (d.isArray()) { // FastAPI's validation errors: [{"loc": ["body", "logical_date"], "msg": "Field required"}]
        List<String> parts = new ArrayList<>();
        for (JsonNode e : d) {
          List<String> loc = new ArrayList<>();
          e.path("loc").forEach(l -> loc.add(l.asText()));
          parts.add(e.path("msg").asText("?") + (loc.isEmpty() ? "" : " (" + String.join(".", loc) + ")"));
        }
        return String.join("; ", parts);
      }
      return d.toString();
    }
  }

  /** The service carrying the call asked us to come back later (MWAA's own throttling); nothing was done. */
  final class Busy extends RuntimeException {
    Busy(String message) {
      super(message);
    }
  }

  /**
   * Calls {@code method path} with {@code body} (null: none). Authentication failures are thrown with what to check
   * ({@link IllegalStateException}); every answer of Airflow itself, refusals included, is a {@link Reply}.
   */
  Reply call(String method, String path, JsonNode body) throws IOException, InterruptedException;

  /** Which API document Airflow answers by: 1 (Airflow 2.x, {@code /api/v1}) or 2 (Airflow 3.x, {@code /api/v2}). */
  int version() throws IOException, InterruptedException;

  /** Where the API is, for messages: never a credential. */
  String where();

  /** The longest path a call may carry (MWAA's InvokeRestApi takes at most 64 characters). */
  default int maxPathLength() {
    return Integer.MAX_VALUE;
  }
}
