package io.siloreports.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.siloreports.config.Keys;
import io.siloreports.config.Setting;
import io.siloreports.config.Settings;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Passwords by reference: {@code db.password-secret-id} and {@code jobstore.password-secret-id} name AWS Secrets
 * Manager secrets that the job itself reads at start (AWS SDK v2, credentials from the default chain: the instance
 * profile on EMR), so no password is ever in an EMR step, a DAG, an argument list or a log. A secret is a plain text,
 * or JSON with a {@code password} field (what RDS writes). A password set directly wins over a reference.
 */
public final class SecretReferences {
  private static final Logger LOG = LoggerFactory.getLogger(SecretReferences.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Setting<String>[]> REFERENCES = List.of(
      pair(Keys.DB_PASSWORD_SECRET_ID, Keys.DB_PASSWORD),
      pair(Keys.JOBSTORE_PASSWORD_SECRET_ID, Keys.JOBSTORE_PASSWORD));

  private SecretReferences() {}

  @SafeVarargs
  private static Setting<String>[] pair(Setting<String>... keys) {
    return keys;
  }

  /** {@code settings} with every referenced password read from Secrets Manager; unchanged when nothing refers. */
  public static Settings resolve(Settings settings) {
    Settings out = settings;
    SecretsManagerClient client = null;
    try {
      for (Setting<String>[] ref : REFERENCES) {
        String secretId = settings.find(ref[0]).orElse(null);
        if (secretId == null || settings.find(ref[1].key()).isPresent()) {
          continue;
        }
        if (client == null) {
          client = client(settings);
        }
        String secret;
        try {
          secret = client.getSecretValue(GetSecretValueRequest.builder().secretId(secretId).build()).secretString();
        } catch (RuntimeException e) {
          throw new IllegalStateException("cannot read the secret '" + secretId + "' (" + ref[0].key() + ") from"
              + " Secrets Manager: " + e.getMessage(), e);
        }
        out = out.withValue(ref[1].key(), password(secret, secretId), "secrets manager " + secretId);
        LOG.info("{}: read from Secrets Manager secret {}", ref[1].key(), secretId);
      }
    } finally {
      if (client != null) {
        client.close();
      }
    }
    return out;
  }

  private static SecretsManagerClient client(Settings s) {
    SecretsManagerClientBuilder b = SecretsManagerClient.builder();
    s.find(Keys.SECRETS_REGION).ifPresent(r -> b.region(Region.of(r)));
    s.find(Keys.SECRETS_ENDPOINT).ifPresent(e -> b.endpointOverride(URI.create(e)));
    return b.build();
  }

  /** The password in a secret: the text itself, or the {@code password} field of a JSON object. */
  static String password(String secret, String secretId) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalStateException("the secret '" + secretId + "' has no text value");
    }
    String t = secret.trim();
    if (t.startsWith("{")) {
      try {
        JsonNode n = JSON.readTree(t);
        if (n.hasNonNull("password")) {
          return n.get("password").asText();
        }
      } catch (java.io.IOException e) {
        return secret; // not JSON after all: the text is the password
      }
      throw new IllegalStateException("the secret '" + secretId + "' is JSON without a \"password\" field");
    }
    return secret;
  }
}
