package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.ApiConfig;
import io.siloreports.config.Settings;
import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The service's TLS identity from PEM files or PKCS12, and the one-line errors that stop a start. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIdentityTest {
  @TempDir static Path dir;
  private TestCertificates ec;
  private TestCertificates rsa;

  @BeforeAll
  void make() throws Exception {
    ec = TestCertificates.make(dir.resolve("ec"), "EC");
    rsa = TestCertificates.make(dir.resolve("rsa"), "RSA");
  }

  private static String failure(Executable e) {
    String m = assertThrows(IllegalArgumentException.class, e).getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    return m;
  }

  @Test
  void pemFilesAndPkcs12StoresOfRsaAndEcKeysServe() throws Exception {
    for (TestCertificates c : new TestCertificates[] {ec, rsa}) {
      assertEquals("TLS", TlsIdentity.fromPem(c.chain(), c.key()).sslContext().getProtocol());
      assertEquals("TLS", TlsIdentity.fromPkcs12(c.pkcs12(), c.password()).sslContext().getProtocol());
    }
  }

  @Test
  void aKeyOfAnotherCertificateIsFoundAtStart() {
    String m = failure(() -> TlsIdentity.fromPem(rsa.chain(), ec.key()));
    assertTrue(m.startsWith("api.tls.certificate and api.tls.private-key (") && m.contains("does not belong"), m);
    m = failure(() -> TlsIdentity.fromPem(ec.chain(), rsa.key()));
    assertTrue(m.contains("does not belong to the certificate CN=localhost"), m);
  }

  @Test
  void unreadableOrWrongFilesNameTheSetting() throws Exception {
    assertTrue(failure(() -> TlsIdentity.fromPem(dir.resolve("none.pem"), ec.key()))
        .startsWith("api.tls.certificate: "));
    assertTrue(failure(() -> TlsIdentity.fromPem(ec.key(), ec.key())).startsWith("api.tls.certificate: "),
        "a key where the certificate should be");
    assertTrue(failure(() -> TlsIdentity.fromPem(ec.chain(), dir.resolve("none.pem")))
        .startsWith("api.tls.private-key: "));
    assertTrue(failure(() -> TlsIdentity.fromPem(ec.chain(), ec.chain())).contains("'CERTIFICATE', not an"),
        "a certificate where the key should be");
    Path pkcs1 = dir.resolve("pkcs1.pem");
    Files.writeString(pkcs1, Files.readString(rsa.key()).replace("PRIVATE KEY", "RSA PRIVATE KEY"));
    String m = failure(() -> TlsIdentity.fromPem(rsa.chain(), pkcs1));
    assertTrue(m.startsWith("api.tls.private-key: ") && m.contains("openssl pkcs8 -topk8"), m);

    m = failure(() -> TlsIdentity.fromPkcs12(rsa.pkcs12(), "wrong-password"));
    assertTrue(m.startsWith("api.tls.keystore: ") && m.contains("api.tls.keystore-password"), m);
    assertFalse(m.contains("wrong-password"), "the password stays out of the message");
    assertTrue(failure(() -> TlsIdentity.fromPkcs12(rsa.chain(), "x")).startsWith("api.tls.keystore: "));
  }

  @Test
  void theSettingsGiveOneWayOrTheOther() {
    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "ops:tls-token-0123456789-for-tests-abcdefghij");
    m.put("api.tls.certificate", ec.chain().toString());
    assertEquals("api.tls.private-key is missing: TLS needs both api.tls.certificate and api.tls.private-key",
        failure(() -> ApiConfig.from(Settings.of(m))));
    m.put("api.tls.private-key", ec.key().toString());
    assertTrue(ApiConfig.from(Settings.of(m)).tls() != null);
    m.put("api.tls.keystore", ec.pkcs12().toString());
    assertTrue(failure(() -> ApiConfig.from(Settings.of(m))).contains("are both set"));
    m.remove("api.tls.certificate");
    m.remove("api.tls.private-key");
    m.put("api.tls.keystore-password", ec.password());
    assertTrue(ApiConfig.from(Settings.of(m)).tls() != null);
  }
}
