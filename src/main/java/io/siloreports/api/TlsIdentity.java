package io.siloreports.api;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The certificate and key the service proves itself with over TLS: PEM files (an X.509 chain, the server's own
 * certificate first, and an unencrypted PKCS#8 RSA or EC key) or a PKCS12 key store. Read with the JDK alone. Every
 * problem found at start names the setting to fix, in one line; a key that does not belong to the certificate is
 * found here (a test signature), not by the first browser.
 */
public final class TlsIdentity {
  static final String CERTIFICATE = "api.tls.certificate";
  static final String PRIVATE_KEY = "api.tls.private-key";
  static final String KEYSTORE = "api.tls.keystore";
  static final String KEYSTORE_PASSWORD = "api.tls.keystore-password";
  private static final Pattern PEM_KEY = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private final KeyStore keys;
  private final char[] password;

  private TlsIdentity(KeyStore keys, char[] password) {
    this.keys = keys;
    this.password = password;
  }

  /** From PEM files: the certificate chain and its private key. */
  public static TlsIdentity fromPem(Path certificate, Path privateKey) {
    List<X509Certificate> chain = certificates(certificate);
    PrivateKey key = privateKey(privateKey);
    requireMatch(chain.get(0), key, CERTIFICATE + " and " + PRIVATE_KEY + " (" + certificate + ", " + privateKey
        + ")");
    try {
      char[] password = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("service", key, password, chain.toArray(new Certificate[0]));
      return new TlsIdentity(store, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(CERTIFICATE + ": cannot hold the certificate and key: " + e.getMessage(), e);
    }
  }

  /** From a PKCS12 key store holding one private key and its chain. */
  public static TlsIdentity fromPkcs12(Path keystore, String password) {
    char[] pw = password == null ? new char[0] : password.toCharArray();
    KeyStore store;
    try (InputStream in = Files.newInputStream(keystore)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, pw);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(KEYSTORE + ": " + keystore + " cannot be read as PKCS12 with "
          + KEYSTORE_PASSWORD + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          PrivateKey key = (PrivateKey) store.getKey(alias, pw);
          requireMatch((X509Certificate) store.getCertificate(alias), key, KEYSTORE + " (" + keystore + ")");
          return new TlsIdentity(store, pw);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(KEYSTORE + ": the key in " + keystore + " cannot be read with "
          + KEYSTORE_PASSWORD + " (" + e.getMessage() + ")", e);
    }
    throw new IllegalArgumentException(KEYSTORE + ": " + keystore + " holds no private key");
  }

  /** An HTTPS server with this identity, speaking TLS 1.2 and 1.3 only (the JDK's defaults for the rest). */
  HttpsServer httpsServer(InetSocketAddress address, int backlog) throws IOException {
    SSLContext context = sslContext();
    HttpsServer https = HttpsServer.create(address, backlog);
    https.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setSSLParameters(p);
      }
    });
    return https;
  }

  /** A TLS context serving this identity. */
  SSLContext sslContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the TLS context cannot be made: " + e.getMessage(), e);
    }
  }

  private static List<X509Certificate> certificates(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> chain = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(c -> (X509Certificate) c).toList();
      if (chain.isEmpty()) {
        throw new IllegalArgumentException(CERTIFICATE + ": " + file + " holds no certificate");
      }
      return chain;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(CERTIFICATE + ": " + file + " cannot be read as PEM certificates ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  private static PrivateKey privateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(PRIVATE_KEY + ": " + file + " cannot be read (" + e + ")", e);
    }
    Matcher m = PEM_KEY.matcher(pem);
    if (!m.find()) {
      throw new IllegalArgumentException(PRIVATE_KEY + ": " + file + " holds no PEM block");
    }
    if (!m.group(1).equals("PRIVATE KEY")) {
      throw new IllegalArgumentException(PRIVATE_KEY + ": " + file + " holds a '" + m.group(1) + "', not an"
          + " unencrypted PKCS#8 'PRIVATE KEY' (convert it: openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PRIVATE_KEY + ": " + file + " is not valid base64", e);
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // not this algorithm: try the next
      }
    }
    throw new IllegalArgumentException(PRIVATE_KEY + ": " + file + " is neither an RSA nor an EC PKCS#8 key");
  }

  /** The key signs, the certificate's public key verifies: else they are not a pair. */
  private static void requireMatch(X509Certificate cert, PrivateKey key, String settings) {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
    try {
      byte[] probe = "silo-reports".getBytes(StandardCharsets.US_ASCII);
      Signature sign = Signature.getInstance(algorithm);
      sign.initSign(key);
      sign.update(probe);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(cert.getPublicKey());
      verify.update(probe);
      if (verify.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // a key of another algorithm than the certificate's: not a pair either
    }
    throw new IllegalArgumentException(settings + ": the private key does not belong to the certificate "
        + cert.getSubjectX500Principal());
  }
}
