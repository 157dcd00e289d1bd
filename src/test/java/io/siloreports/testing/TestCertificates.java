package io.siloreports.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA and a server certificate it signed for {@code localhost} and {@code 127.0.0.1}, made with the JDK's
 * keytool (no extra library), written as a PKCS12 store and as PEM files (chain, PKCS#8 key, the CA).
 *
 * @param ca the CA's certificate (PEM), what a client trusts
 * @param chain the server's certificate then the CA's (PEM)
 * @param key the server's private key (PEM, PKCS#8)
 * @param pkcs12 the server's key and chain
 * @param password of {@code pkcs12}
 */
public record TestCertificates(Path ca, Path chain, Path key, Path pkcs12, String password) {

  /** Makes them under {@code dir}; {@code keyAlgorithm} RSA or EC. */
  public static TestCertificates make(Path dir, String keyAlgorithm) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String pw = "test-store-pass";
    Path caStore = dir.resolve("ca.p12");
    Path server = dir.resolve("server.p12");
    Path caPem = dir.resolve("ca.pem");
    Path csr = dir.resolve("server.csr");
    Path signed = dir.resolve("server.pem");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=silo-reports test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", caStore, "-storetype", "PKCS12", "-storepass", pw);
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore, "-storepass", pw, "-file", caPem);
    keytool("-genkeypair", "-alias", "server", "-keyalg", keyAlgorithm, "-dname", "CN=localhost", "-validity", "2",
        "-keystore", server, "-storetype", "PKCS12", "-storepass", pw);
    keytool("-certreq", "-alias", "server", "-keystore", server, "-storepass", pw, "-file", csr);
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore, "-storepass", pw, "-infile", csr, "-outfile",
        signed, "-validity", "2", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", server, "-storepass", pw, "-file", caPem);
    keytool("-importcert", "-alias", "server", "-keystore", server, "-storepass", pw, "-file", signed);
    Path chain = dir.resolve("chain.pem");
    Files.writeString(chain, Files.readString(signed) + Files.readString(caPem));
    Path key = dir.resolve("key.pem");
    try (InputStream in = Files.newInputStream(server)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pw.toCharArray());
      byte[] der = ks.getKey("server", pw.toCharArray()).getEncoded();
      Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
          + "\n-----END PRIVATE KEY-----\n");
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
    return new TestCertificates(caPem, chain, key, server, pw);
  }

  private static void keytool(Object... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    for (Object a : args) {
      cmd.add(a.toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + out);
    }
  }

  /** The server's certificate. */
  public X509Certificate serverCertificate() throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(chain)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** Base64 of the SHA-256 of the server's public key (SubjectPublicKeyInfo), as Chromium's SPKI list wants it. */
  public String spkiSha256() throws IOException, GeneralSecurityException {
    return Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(serverCertificate().getPublicKey().getEncoded()));
  }

  /** A client TLS context that trusts the test CA alone. */
  public SSLContext trustingTheCa() throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
