package io.siloreports.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siloreports.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of {@code api.tokens}: long tokens, each name once, kept and configurable as SHA-256 hashes. */
class TokensTest {
  private static final String LONG = "a-token-of-exactly-32-characters";
  private static final String OTHER = "another-token-of-36-characters-long";

  @Test
  void aTokenShorterThan32CharactersIsRefusedNamingItsEntryNeverTheToken() {
    String shortToken = "only-31-characters-long-token-x";
    assertEquals(31, shortToken.length());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Tokens("ok:" + LONG + ",carol:" + shortToken));
    assertTrue(e.getMessage().contains("'carol'") && e.getMessage().contains("32"), e.getMessage());
    assertFalse(e.getMessage().contains(shortToken), "the error never shows the token");
    assertEquals(32, LONG.length());
    assertEquals(1, new Tokens("ok:" + LONG).size(), "32 characters are enough");
  }

  @Test
  void aNameGivenTwiceIsRefusedRatherThanReplacingTheEarlierToken() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Tokens("alice:" + LONG + ",alice:" + OTHER));
    assertTrue(e.getMessage().contains("'alice' twice"), e.getMessage());
    assertFalse(e.getMessage().contains(LONG) || e.getMessage().contains(OTHER), e.getMessage());
    IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
        () -> new Tokens("alice:" + LONG + ",bob:" + LONG));
    assertTrue(same.getMessage().contains("same token"), same.getMessage());
  }

  @Test
  void aHashedEntryAcceptsItsTokenWithoutTheConfigurationHoldingIt() throws Exception {
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(OTHER.getBytes(StandardCharsets.UTF_8))); // computed here, not by the code under test
    Tokens t = new Tokens("alice:" + LONG + ",bob:sha256:" + hex.toUpperCase(java.util.Locale.ROOT));
    assertEquals(Optional.of("bob"), t.nameOf("Bearer " + OTHER));
    assertEquals(Optional.of("alice"), t.nameOf("bearer " + LONG));
    assertEquals(Optional.empty(), t.nameOf("Bearer " + hex), "the hash itself is not a token");
    assertEquals(Optional.empty(), t.nameOf("Bearer " + OTHER + "x"));
    assertEquals(Optional.empty(), t.nameOf(OTHER), "not a bearer header");
    assertEquals(Optional.empty(), t.nameOf(null));
    assertEquals("bob:sha256:" + hex, Tokens.hashedEntry("bob", OTHER));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Tokens("bob:sha256:abc"));
    assertTrue(bad.getMessage().contains("'bob'") && bad.getMessage().contains("64 hex"), bad.getMessage());
  }

  @Test
  void freshTokensAreLongUrlSafeAndDifferent() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String t = Tokens.newToken();
      assertTrue(t.length() >= Tokens.MIN_LENGTH && t.matches("[A-Za-z0-9_-]+"), t);
      seen.add(t);
    }
    assertEquals(100, seen.size());
  }

  @Test
  void theTokenCommandPrintsATokenAndTheEntryThatAcceptsIt() throws Exception {
    Printed r = run("token", "new", "carol");
    assertEquals(0, r.exit(), r.out());
    String token = r.out().lines().filter(l -> l.startsWith("token")).findFirst().orElseThrow()
        .replaceAll(".*: ", "");
    String entry = r.out().lines().filter(l -> l.startsWith("api.tokens entry")).findFirst().orElseThrow()
        .replaceAll(".*: ", "");
    assertTrue(entry.startsWith("carol:sha256:") && !entry.contains(token), entry);
    assertEquals(Optional.of("carol"), new Tokens(entry).nameOf("Bearer " + token));
    assertEquals(2, run("token", "new", "bad name!").exit());
    assertEquals(2, run("token", "new").exit());
  }

  private record Printed(int exit, String out) {}

  private static Printed run(String... args) {
    PrintStream was = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return new Printed(Main.run(args), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(was);
    }
  }
}
