package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.cli.ReportService;
import io.siloreports.cli.Wiring;
import io.siloreports.config.Settings;
import io.siloreports.testing.ApiClient;
import io.siloreports.testing.OpenApiCheck;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /api/schedules} through the service (no worker): create, list, change, pause, resume, delete, each answer
 * checked against the OpenAPI document; bad input (an unknown zone, a bad time, an unknown field, a duplicate name)
 * answered 400/409 with the reason and nothing stored. Run on SQLite ({@link ScheduleApiTest}) and MariaDB
 * ({@link ScheduleApiMySqlIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScheduleApiContract {
  static final String ALICE = "alice-token-1-for-tests-0123456789";
  static final String BOB = "bob-token-22-for-tests-0123456789ab";
  private ReportService server;
  private ApiClient alice;
  private ApiClient bob;
  private OpenApiCheck openApi;

  /** The service's settings: the job store under test. */
  abstract Map<String, String> settings() throws Exception;

  @BeforeAll
  void start() throws Exception {
    Map<String, String> m = settings();
    m.put("api.port", "0");
    m.put("api.tokens", "alice:" + ALICE + ",bob:" + BOB);
    m.put("api.worker", "false");
    m.put("api.auth.max-failures", "100000");
    m.put("notify.email.allowed-domains", "example.com");
    m.put("notify.targets", "https://hooks.internal.example/operator-hook");
    server = Wiring.api(ApiConfig.from(Settings.of(m)), Clock.systemUTC());
    server.start();
    alice = new ApiClient(server.url(), ALICE);
    bob = new ApiClient(server.url(), BOB);
    openApi = new OpenApiCheck(alice.get("/api/openapi.json").json());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private ApiClient.Answer checked(String method, String template, ApiClient.Answer a) {
    List<String> problems = openApi.problems(method, template, a.status(), a.json());
    assertTrue(problems.isEmpty(), method + " " + template + " " + a.status() + ": " + problems + " in " + a.body());
    return a;
  }

  @Test
  void aScheduleIsCreatedListedChangedPausedResumedAndDeletedByTokenName() throws Exception {
    ApiClient.Answer created = checked("POST", "/api/schedules", alice.post("/api/schedules",
        "{\"name\": \"berlin-nightly\", \"at\": \"23:00\", \"zone\": \"Europe/Berlin\", \"days\": 1,"
            + " \"silos\": [1, 2, 3], \"format\": \"csv\", \"recipients\": [\"ops@example.com\"]}"));
    assertEquals(201, created.status(), created.body());
    assertEquals("23:00", created.json().get("at").asText());
    assertEquals("Europe/Berlin", created.json().get("zone").asText());
    assertEquals("1", created.json().get("days").asText());
    assertEquals("1,2,3", created.json().get("silos").asText());
    assertEquals("ops@example.com", created.json().get("recipients").asText());
    assertEquals("alice", created.json().get("created_by").asText());
    assertEquals("api", created.json().get("source").asText());
    assertEquals(false, created.json().get("paused").asBoolean());

    ApiClient.Answer list = checked("GET", "/api/schedules", alice.get("/api/schedules"));
    assertTrue(list.json().get("schedules").findValuesAsText("name").contains("berlin-nightly"), list.body());

    ApiClient.Answer changed = checked("PUT", "/api/schedules/{name}", bob.put("/api/schedules/berlin-nightly",
        "{\"at\": \"06:30\", \"zone\": \"America/New_York\", \"days\": 7}"));
    assertEquals(200, changed.status(), changed.body());
    assertEquals("06:30", changed.json().get("at").asText());
    assertEquals("America/New_York", changed.json().get("zone").asText());
    assertEquals("alice", changed.json().get("created_by").asText());
    assertEquals("bob", changed.json().get("updated_by").asText());
    assertTrue(changed.json().path("silos").isMissingNode(), "PUT replaces the fields: " + changed.body());

    ApiClient.Answer paused = checked("POST", "/api/schedules/{name}/pause",
        alice.post("/api/schedules/berlin-nightly/pause", null));
    assertEquals(true, paused.json().get("paused").asBoolean(), paused.body());
    assertEquals(true, alice.get("/api/schedules/berlin-nightly").json().get("paused").asBoolean());
    ApiClient.Answer resumed = checked("POST", "/api/schedules/{name}/resume",
        alice.post("/api/schedules/berlin-nightly/resume", null));
    assertEquals(false, resumed.json().get("paused").asBoolean(), resumed.body());

    assertEquals(204, alice.delete("/api/schedules/berlin-nightly").status());
    assertEquals(404, checked("GET", "/api/schedules/{name}", alice.get("/api/schedules/berlin-nightly")).status());
    assertEquals(404, checked("DELETE", "/api/schedules/{name}", alice.delete("/api/schedules/berlin-nightly"))
        .status());
  }

  @Test
  void badSchedulesAreRefusedWithTheReasonAndNothingIsStored() throws Exception {
    assertRefused(400, "{\"name\": \"bad-zone\", \"at\": \"23:00\", \"zone\": \"Europe/Berln\"}",
        "unknown time zone 'Europe/Berln'");
    assertRefused(400, "{\"name\": \"bad-time\", \"at\": \"25:00\", \"zone\": \"Europe/Berlin\"}",
        "at must be a time of day HH:mm (00:00 to 23:59), got '25:00'");
    assertRefused(400, "{\"name\": \"bad-cron\", \"cron\": \"0 24 * * *\"}", "hour 24 is outside 0-23");
    assertRefused(400, "{\"name\": \"no-time\", \"zone\": \"UTC\"}", "give one of them");
    assertRefused(400, "{\"name\": \"bad-field\", \"at\": \"23:00\", \"colour\": \"red\"}", "unknown field 'colour'");
    assertRefused(400, "{\"name\": \"bad name!\", \"at\": \"23:00\"}", "must be 1-64 of [A-Za-z0-9_-]");
    assertRefused(400, "{\"name\": \"bad-days\", \"at\": \"23:00\", \"days\": 0}", "days must be 1 to");
    for (String name : List.of("bad-zone", "bad-time", "bad-cron", "no-time", "bad-field", "bad-days")) {
      assertEquals(404, alice.get("/api/schedules/" + name).status(), name + " was not stored");
    }
    assertEquals(201, alice.post("/api/schedules", "{\"name\": \"twice\", \"at\": \"01:00\"}").status());
    assertRefused(409, "{\"name\": \"twice\", \"at\": \"02:00\"}", "a schedule named twice exists");
    assertEquals("01:00", alice.get("/api/schedules/twice").json().get("at").asText(), "the first is kept");
    ApiClient.Answer badChange = checked("PUT", "/api/schedules/{name}", alice.put("/api/schedules/twice",
        "{\"at\": \"01:00\", \"zone\": \"Mars/Olympus\"}"));
    assertEquals(400, badChange.status());
    assertEquals("UTC", alice.get("/api/schedules/twice").json().get("zone").asText(), "a refused change loses nothing");
    assertEquals(404, checked("POST", "/api/schedules/{name}/pause", alice.post("/api/schedules/nope/pause", null))
        .status());
    assertEquals(401, alice.withToken(null).get("/api/schedules").status());
  }

  @Test
  void aScheduleNotifiesOnlyAllowedRecipientsAndWebhooksNoTokenHolderCanPointElsewhere() throws Exception {
    assertRefused(400, "{\"name\": \"r-other\", \"at\": \"07:00\", \"recipients\": [\"eve@elsewhere.net\"]}",
        "the domain 'elsewhere.net' is not allowed");
    assertRefused(400, "{\"name\": \"r-bad\", \"at\": \"07:00\", \"recipients\": \"not-an-address\"}",
        "is not an email address");
    assertRefused(400, "{\"name\": \"r-mailto\", \"at\": \"07:00\", \"notify\": [\"mailto:eve@elsewhere.net\"]}",
        "the domain 'elsewhere.net' is not allowed");
    assertRefused(400, "{\"name\": \"r-inside\", \"at\": \"07:00\", \"notify\": [\"http://169.254.169.254/latest\"]}",
        "is none of them");
    assertRefused(400, "{\"name\": \"r-sns\", \"at\": \"07:00\", \"notify\": [\"arn:aws:sns:eu-west-1:1:t\"]}",
        "is none of them");
    assertRefused(400, "{\"name\": \"r-slack\", \"at\": \"07:00\", \"notify\": [\"slack:https://10.0.0.5/services/x\"]}",
        "must be an https URL on hooks.slack.com");
    assertRefused(400, "{\"name\": \"r-attach\", \"at\": \"07:00\", \"attach\": \"yes\"}",
        "attach must be true or false");
    for (String name : List.of("r-other", "r-bad", "r-mailto", "r-inside", "r-sns", "r-slack", "r-attach")) {
      assertEquals(404, alice.get("/api/schedules/" + name).status(), name + " was not stored");
    }

    ApiClient.Answer ok = checked("POST", "/api/schedules", alice.post("/api/schedules",
        "{\"name\": \"r-ok\", \"at\": \"07:00\", \"format\": \"pdf\", \"attach\": \"true\","
            + " \"recipients\": \"ana@example.com, ops@example.com\","
            + " \"notify\": [\"slack:https://hooks.slack.com/services/T1/B2/abc\","
            + " \"https://hooks.internal.example/operator-hook\"]}"));
    assertEquals(201, ok.status(), ok.body());
    assertEquals("ana@example.com,ops@example.com", ok.json().get("recipients").asText());
    assertEquals("true", ok.json().get("attach").asText());
    assertEquals("pdf", ok.json().get("format").asText());
  }

  private void assertRefused(int status, String body, String reason) throws Exception {
    ApiClient.Answer a = checked("POST", "/api/schedules", alice.post("/api/schedules", body));
    assertEquals(status, a.status(), a.body());
    assertTrue(a.body().contains(reason), a.body());
  }
}
