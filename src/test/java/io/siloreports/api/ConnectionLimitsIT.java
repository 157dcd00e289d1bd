package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.testing.Profiles;
import io.siloreports.testing.TestLogs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * 500 clients that send half a request line and wait do not freeze the service: the real {@code api} command runs in
 * its own JVM (the JDK server's limits are per JVM, read once: another server of this test JVM may have fixed them
 * already) with 4 kept handler threads, a 5 s request limit and a cap of 520 connections. While the 500 are open a
 * normal request is answered in under a second; connections past the cap are closed at once; the 500 are closed by
 * the server after the request limit, and so are connections that sent nothing; then the service answers again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionLimitsIT {
  private static final int SLOW = 500;
  private static final int CAP = 520;
  private static final int REQUEST_TIMEOUT_SECONDS = 5; // long enough to open 500 on a loaded machine first

  @TempDir static Path dir;
  private Process service;
  private int port;

  @BeforeAll
  void start() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, String> m = Profiles.service(Profiles.embedded(dir), dir, "ops:limits-token-0123456789-for-tests-abcdefghij");
    m.put("api.port", Integer.toString(port));
    m.put("api.worker", "false");
    m.put("api.threads", "4");
    m.put("api.max-connections", Integer.toString(CAP));
    m.put("api.request-timeout", REQUEST_TIMEOUT_SECONDS + "s");
    Properties p = new Properties();
    p.putAll(m);
    Path config = dir.resolve("service.properties");
    try (Writer w = Files.newBufferedWriter(config)) {
      p.store(w, null);
    }
    Path log = TestLogs.file("api", "connection-limits-service.log");
    service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "io.siloreports.cli.Main", "api", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        get("/api/openapi.json", 1000);
        break;
      } catch (IOException e) {
        assertTrue(service.isAlive(), "the service ended at start; see " + log);
        assertTrue(System.currentTimeMillis() < deadline, "the service did not answer within 60 s; see " + log);
        Thread.sleep(200);
      }
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (service != null) {
      service.destroy();
      service.waitFor();
    }
  }

  @Test
  void halfSentRequestsNeitherStarveANormalRequestNorStayOpen() throws Exception {
    List<Socket> slow = new ArrayList<>();
    List<Socket> extra = new ArrayList<>();
    try {
      long sent = System.nanoTime();
      for (int i = 0; i < SLOW; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /api/hea".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      Thread.sleep(300); // the server has read their first bytes: each holds a handler thread

      long t0 = System.nanoTime();
      String answer = get("/api/openapi.json", 5000);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      System.out.println("GET /api/openapi.json while " + SLOW + " half-sent requests are open: " + millis + " ms");
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer.lines().findFirst().orElse(""));
      assertTrue(millis < 1000, "answered in " + millis + " ms");

      // Past the cap (500 slow + 20 more), connections are closed as soon as they are accepted.
      Thread.sleep(200); // the answered connection is closed and no longer counted
      for (int i = 0; i < 40; i++) {
        extra.add(new Socket("127.0.0.1", port));
      }
      Thread.sleep(500); // those past the cap are closed by now; the others are held (until the request limit)
      List<Socket> held = new ArrayList<>();
      for (Socket s : extra) {
        if (!closedWithin(s, 20)) {
          held.add(s);
        }
      }
      assertEquals(CAP - SLOW, held.size(), "connections past the cap of " + CAP + " are closed at once");
      long checked = (System.nanoTime() - sent) / 1_000_000;
      assertTrue(checked < REQUEST_TIMEOUT_SECONDS * 1000 - 1000, "too slow to check before the limit: " + checked
          + " ms");

      // The server closes the half-sent requests after the request limit, counted from their first byte.
      long firstClosedMillis = -1;
      for (Socket s : slow) {
        assertTrue(closedWithin(s, 10_000), "a half-sent request was still open 10 s after the limit");
        if (firstClosedMillis < 0) {
          firstClosedMillis = (System.nanoTime() - sent) / 1_000_000;
        }
      }
      long allClosedMillis = (System.nanoTime() - sent) / 1_000_000;
      System.out.println("half-sent requests closed by the server after " + firstClosedMillis + " ms (first), "
          + allClosedMillis + " ms (all " + SLOW + ")");
      assertTrue(firstClosedMillis >= REQUEST_TIMEOUT_SECONDS * 1000 - 500, "closed before the limit: "
          + firstClosedMillis + " ms");
      assertTrue(allClosedMillis <= REQUEST_TIMEOUT_SECONDS * 1000 + 5000, "closed late: " + allClosedMillis + " ms");
      for (Socket s : held) {
        assertTrue(closedWithin(s, 10_000), "a connection that sent nothing is closed after the request limit too");
      }
      assertTrue(get("/api/openapi.json", 5000).startsWith("HTTP/1.1 200"), "answers again");
    } finally {
      for (Socket s : slow) {
        s.close();
      }
      for (Socket s : extra) {
        s.close();
      }
    }
  }

  /** True when the server closes the connection (end of stream or reset) within the time. */
  private static boolean closedWithin(Socket s, int millis) throws IOException {
    s.setSoTimeout(millis);
    try {
      return s.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  /** One request on its own connection ({@code Connection: close}), its whole raw answer. */
  private String get(String path, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      if (answer.isEmpty()) {
        throw new IOException("closed without an answer");
      }
      return answer;
    }
  }
}
