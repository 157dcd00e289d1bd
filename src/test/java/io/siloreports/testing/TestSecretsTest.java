package io.siloreports.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.servers.EmbeddedMySql;
import io.siloreports.testing.servers.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check `mvn verify` runs over every test's output (src/test/scripts/no-secrets-in-logs.sh): its list holds the
 * fixtures' secrets, and it fails on a planted secret or signed link without repeating the secret.
 */
class TestSecretsTest {
  private static final Path SCRIPT = Path.of("src/test/scripts/no-secrets-in-logs.sh");
  private static final Path SECRETS = Path.of("src/test/resources/test-secrets.txt");

  @TempDir Path dir;

  @Test
  void theListHoldsTheFixturesSecrets() throws Exception {
    List<String> listed = Files.readAllLines(SECRETS).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertTrue(listed.contains(EmbeddedS3.SECRET_KEY), "the S3 secret key");
    assertTrue(listed.contains(EmbeddedMySql.APP_PASSWORD), "the MySQL password");
    assertTrue(listed.stream().allMatch(s -> s.length() >= 8), "short entries would match ordinary words: " + listed);
  }

  @Test
  void aScanThatFindsNoFileFails() throws Exception {
    Result none = check(Files.createDirectories(dir.resolve("empty-reports")));
    assertEquals(1, none.exit(), none.output());
    assertTrue(none.output().contains("nothing was checked"), none.output());
  }

  @Test
  void aSecretInAChildProcessLogUnderTestLogsFailsTheCheck() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("test-logs/report-logs/run-1"));
    Files.writeString(logs.resolve("r-1.log"), "INFO S3 with key " + EmbeddedS3.SECRET_KEY + "\n");
    Result child = check(dir.resolve("test-logs"));
    assertEquals(1, child.exit(), child.output());
    assertTrue(child.output().contains("r-1.log line 1"), child.output());
  }

  @Test
  void aSecretOrASignedLinkInATestsOutputFailsTheCheck() throws Exception {
    Path reports = Files.createDirectories(dir.resolve("failsafe-reports"));
    Files.writeString(reports.resolve("a.SomeIT-output.txt"), "12:00:01 INFO Stored report at"
        + " https://bucket.s3.amazonaws.com/reports/j/silo_data_report.xlsx (link without its signature)\n");
    Result clean = check(reports);
    assertEquals(0, clean.exit(), clean.output());
    assertTrue(clean.output().contains("1 test output files"), clean.output());

    Files.writeString(reports.resolve("b.OtherIT-output.txt"), "line 1\n12:00:02 DEBUG connecting with password "
        + EmbeddedMySql.APP_PASSWORD + "\n");
    Result secret = check(reports);
    assertEquals(1, secret.exit(), secret.output());
    assertTrue(secret.output().contains("b.OtherIT-output.txt line 2"), secret.output());
    assertFalse(secret.output().contains(EmbeddedMySql.APP_PASSWORD), "the finding does not repeat the secret");

    Files.delete(reports.resolve("b.OtherIT-output.txt"));
    Files.writeString(reports.resolve("c.LinkIT-output.txt"), "url https://s3/x?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        + "&X-Amz-Signature=0123456789abcdef0123\n");
    Result link = check(reports);
    assertEquals(1, link.exit(), link.output());
    assertTrue(link.output().contains("presigned link with its signature"), link.output());
  }

  private record Result(int exit, String output) {}

  private static Result check(Path reports) throws Exception {
    Process p = new ProcessBuilder("bash", SCRIPT.toString(), SECRETS.toString(), reports.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }
}
