package io.siloreports.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.siloreports.config.Keys;
import io.siloreports.config.Settings;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Passwords by reference, read with the real AWS SDK v2 Secrets Manager client from a local endpoint that speaks
 * Secrets Manager's JSON protocol (awsJson1_1, {@code X-Amz-Target: secretsmanager.GetSecretValue}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretReferencesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> SECRETS = Map.of(
      "plain", "s3cret-plain",
      "rds/silo-reports", "{\"username\":\"silo_reports\",\"password\":\"s3cret-rds\",\"engine\":\"mysql\"}");
  private HttpServer endpoint;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    endpoint.createContext("/", x -> {
      String target = x.getRequestHeaders().getFirst("X-Amz-Target");
      String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
      String id = JSON.readTree(x.getRequestBody().readAllBytes()).path("SecretId").asText();
      seen.add(target + " " + id + " " + (auth.startsWith("AWS4-HMAC-SHA256 Credential=test-key/") ? "signed" : auth));
      byte[] body;
      int status;
      if (SECRETS.containsKey(id)) {
        status = 200;
        body = JSON.writeValueAsBytes(Map.of("ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + id,
            "Name", id, "SecretString", SECRETS.get(id), "VersionId", "v1", "CreatedDate", 1.7e9));
      } else {
        status = 400;
        body = ("{\"__type\":\"ResourceNotFoundException\",\"message\":\"Secrets Manager can't find the specified"
            + " secret.\"}").getBytes(StandardCharsets.UTF_8);
      }
      x.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      x.sendResponseHeaders(status, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    endpoint.start();
    System.setProperty("aws.accessKeyId", "test-key");
    System.setProperty("aws.secretAccessKey", "test-secret");
  }

  @AfterAll
  void stop() {
    endpoint.stop(0);
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private Settings settings(Map<String, String> m) {
    Map<String, String> all = new java.util.HashMap<>(m);
    all.put("secrets.region", "eu-west-1");
    all.put("secrets.endpoint", "http://127.0.0.1:" + endpoint.getAddress().getPort());
    return Settings.of(all);
  }

  @Test
  void passwordsAreReadByReferencePlainOrFromAnRdsJsonSecret() {
    Settings s = SecretReferences.resolve(settings(Map.of("db.password-secret-id", "rds/silo-reports",
        "jobstore.password-secret-id", "plain")));
    assertEquals("s3cret-rds", s.get(Keys.DB_PASSWORD));
    assertEquals("s3cret-plain", s.get(Keys.JOBSTORE_PASSWORD));
    assertTrue(seen.contains("secretsmanager.GetSecretValue rds/silo-reports signed"), seen.toString());
    String described = s.describe();
    assertFalse(described.contains("s3cret"), described);
    assertTrue(described.contains("db.password = ****  (secrets manager rds/silo-reports)"), described);
  }

  @Test
  void aPasswordGivenDirectlyWinsAndNothingIsAskedWithoutAReference() {
    seen.clear();
    Settings s = SecretReferences.resolve(settings(Map.of("db.password-secret-id", "plain", "db.password", "given")));
    assertEquals("given", s.get(Keys.DB_PASSWORD));
    assertEquals(List.of(), seen);
  }

  @Test
  void aMissingSecretIsAClearErrorNamingTheSetting() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SecretReferences.resolve(settings(Map.of("db.password-secret-id", "no/such/secret"))));
    assertTrue(e.getMessage().startsWith("cannot read the secret 'no/such/secret' (db.password-secret-id) from Secrets"
        + " Manager"), e.getMessage());
    assertTrue(e.getMessage().contains("can't find the specified secret"), e.getMessage());
  }
}
